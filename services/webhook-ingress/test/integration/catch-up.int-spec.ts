import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'pg';
import type { PspEventReceived } from '@txn/contracts';
import { AvroCodec } from '@txn/messaging';
import { startPrivateSandbox } from '@txn/psp-proxy';
import { startSuiteService, suiteResources } from '@txn/service-harness';
import { Cleanups, collectEvents, testEnvironment, waitFor } from '@txn/testing';
import { webhookIngressService } from '../../src/service';
import { DEFAULT_BODY_LIMIT_BYTES, webhookSecrets, type IngressSettings } from '../../src/settings';

// Events the PSP sent while the ingress could not hear them: made at the real sandbox (localstripe)
// before the ingress starts, fetched from its event list at start-up, stored and published like a
// webhook; a later webhook for one of them is a duplicate. A second PSP account (`eu`) is a private
// sandbox of its own, as a Stripe account's event list is its own: its events are stored under it.

const STEP_TIMEOUT_MS = 30_000;

describe('webhook ingress catch-up from the PSP event list (in-process, real sandbox, PostgreSQL, Kafka)', () => {
  const cleanups = new Cleanups();
  afterAll(() => cleanups.runAll());

  /** `./platform ingress catch-up …` as the program it is, as the service's runtime role: exit code and last line. */
  function catchUpCommand(url: string, args: readonly string[]): Promise<{ code: number | null; last: Record<string, unknown> }> {
    return new Promise((resolvePromise) => {
      const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'src', 'catch-up-main.ts'), 'catch-up', ...args], { env: { ...process.env, WEBHOOK_INGRESS_DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 90_000 });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      child.on('close', (code) => resolvePromise({ code, last: JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown> }));
    });
  }

  it('fetches at start-up the events made while it was away, per PSP account, and on demand by the catch-up command: stored as FETCHED under their account, published once each', async () => {
    const environment = testEnvironment();
    const sandbox = environment.pspSandbox.url;
    const apiKey = `sk_test_${randomUUID().replace(/-/g, '')}`;
    const paymentId = randomUUID();
    // Money moved at the PSP while nobody listened: an intent created and confirmed (automatic capture).
    const form = new URLSearchParams({ amount: '2500', currency: 'eur', payment_method: 'pm_card_visa', confirm: 'true', 'metadata[payment_id]': paymentId, 'metadata[tenant_id]': 'merchant-1' });
    const created = await fetch(`${sandbox}/v1/payment_intents`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` }, body: form });
    expect(created.status).toBe(200);
    const intent = (await created.json()) as { id: string };
    const euSandbox = await startPrivateSandbox();
    cleanups.push(() => euSandbox.stop());
    const euIntent = (await (await fetch(`${euSandbox.url}/v1/payment_intents`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` }, body: new URLSearchParams({ amount: '900', currency: 'eur', payment_method: 'pm_card_visa', confirm: 'true', 'metadata[payment_id]': randomUUID(), 'metadata[tenant_id]': 'merchant-eu' }) })).json()) as { id: string };

    const { scope, topicOf, secret } = await suiteResources('ingress-catch-up', ['psp.events.v1'], 3, cleanups);
    const database = await scope.database('webhook_ingress');
    const settings: IngressSettings = {
      apiPort: 0,
      apiHost: '127.0.0.1',
      stripeSecrets: webhookSecrets(`whsec_${randomUUID()}`, undefined),
      stripeAccounts: new Map([['eu', webhookSecrets(`whsec_${randomUUID()}`, undefined)]]),
      tolerance_s: 300,
      bodyLimit_bytes: DEFAULT_BODY_LIMIT_BYTES,
      // The shared sandbox holds every suite's events: read only the last ten minutes of them.
      catchUp: { accounts: new Map([['default', { apiUrl: sandbox, apiKey, timeout_ms: 10_000 }], ['eu', { apiUrl: euSandbox.url, apiKey, timeout_ms: 10_000 }]]), interval_ms: 3_600_000, maxPages: 50, firstWindow_ms: 10 * 60_000 },
    };
    const { logs } = await startSuiteService({ service: 'webhook-ingress', database, secret, readSettings: () => ({}), definition: () => webhookIngressService(settings), topicOverrides: topicOf, consumerGroup: scope.groupId('ingress'), cleanups });

    const pool = new Pool({ ...database, max: 2 });
    cleanups.push(() => pool.end());
    const doneFor = (account: string): Promise<Record<string, unknown>> => waitFor(`the start-up catch-up of ${account}`, () => logs.find((line) => line.msg === 'PSP event catch-up done' && line.account === account), STEP_TIMEOUT_MS);
    expect(await doneFor('default')).toMatchObject({ complete: true });
    expect(await doneFor('eu')).toMatchObject({ complete: true, fetched: 1, stored: 1 });
    const storedOf = async (intentId: string): Promise<unknown[]> =>
      (await pool.query("SELECT d.account, d.psp_event_type, d.source_kind, d.first_delivery FROM webhook_deliveries d JOIN psp_events e USING (psp_event_id) WHERE e.psp_object_id = $1", [intentId])).rows;
    expect(await storedOf(intent.id)).toEqual([{ account: 'default', psp_event_type: 'payment_intent.succeeded', source_kind: 'FETCHED', first_delivery: true }]);
    expect(await storedOf(euIntent.id)).toEqual([{ account: 'eu', psp_event_type: 'payment_intent.succeeded', source_kind: 'FETCHED', first_delivery: true }]);

    const published: PspEventReceived[] = [];
    const codec = new AvroCodec({ registryUrl: environment.schemaRegistry.url, clientId: 'ingress-catch-up-test' });
    const reader = await collectEvents({ brokers: environment.kafka.brokers, clientId: 'ingress-catch-up-test', groupId: scope.groupId('reader'), topics: [topicOf['psp.events.v1']], codec, collect: ({ value }) => published.push(value as PspEventReceived) });
    cleanups.push(() => reader.stop());
    const mine = (): PspEventReceived[] => published.filter((event) => event.pspObjectId === intent.id);
    await waitFor('the fetched event on psp.events.v1', () => (mine().length > 0 ? true : undefined), STEP_TIMEOUT_MS);
    expect(mine()).toEqual([expect.objectContaining({ pspEventType: 'payment_intent.succeeded', paymentId, verifiedWithSecretId: 'fetched:psp-api', amount: { amountMinor: 2_500n, currency: 'EUR' } })]);

    // Later, money moves again while the ingress hears nothing (its next scheduled catch-up is an
    // hour away); a person asks for a catch-up: `./platform ingress catch-up` is this program.
    const again = await fetch(`${sandbox}/v1/payment_intents`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` }, body: new URLSearchParams({ amount: '1200', currency: 'eur', payment_method: 'pm_card_visa', confirm: 'true', 'metadata[payment_id]': randomUUID(), 'metadata[tenant_id]': 'merchant-1' }) });
    const missed = (await again.json()) as { id: string };
    // As the running service's role: the command needs nothing more.
    const url = `postgres://${encodeURIComponent(database.runtime.user)}:${encodeURIComponent(database.runtime.password)}@${database.host}:${database.port}/${database.database}`;
    const command = await catchUpCommand(url, ['--since', '10m', '--wait-s', '60']);
    expect(command.code).toBe(0);
    // What it had already (the first intent's event) is known; the missed one is new to it.
    expect(command.last).toMatchObject({ verdict: 'CAUGHT_UP', complete: true, stored: expect.any(Number), known: expect.any(Number) });
    expect(Number(command.last['stored'])).toBeGreaterThanOrEqual(1);
    expect(Number(command.last['known'])).toBeGreaterThanOrEqual(1);
    await waitFor('the missed event on psp.events.v1', () => (published.some((event) => event.pspObjectId === missed.id) ? true : undefined), STEP_TIMEOUT_MS);
    // One request, answered once; each event published once, whether it came by the start-up run or the command's.
    const { rows: requests } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM catch_up_requests WHERE answered_at IS NOT NULL');
    expect(requests).toEqual([{ n: 1 }]);
    expect(mine()).toHaveLength(1);
    expect(published.filter((event) => event.pspObjectId === missed.id)).toHaveLength(1);

    // The command names the account whose list to read; one the ingress has no key for is an answer, not a hang.
    const euMissed = (await (await fetch(`${euSandbox.url}/v1/payment_intents`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` }, body: new URLSearchParams({ amount: '700', currency: 'eur', payment_method: 'pm_card_visa', confirm: 'true', 'metadata[payment_id]': randomUUID(), 'metadata[tenant_id]': 'merchant-eu' }) })).json()) as { id: string };
    const eu = await catchUpCommand(url, ['--account', 'eu', '--since', '10m', '--wait-s', '60']);
    expect(eu).toMatchObject({ code: 0, last: { verdict: 'CAUGHT_UP', account: 'eu', stored: 1, known: 1 } });
    expect(await storedOf(euMissed.id)).toEqual([{ account: 'eu', psp_event_type: 'payment_intent.succeeded', source_kind: 'FETCHED', first_delivery: true }]);
    const unknown = await catchUpCommand(url, ['--account', 'nope', '--since', '10m', '--wait-s', '60']);
    expect(unknown).toMatchObject({ code: 1, last: { verdict: 'INCOMPLETE', account: 'nope', error: 'no PSP account "nope" with an API key here' } });
  });
});
