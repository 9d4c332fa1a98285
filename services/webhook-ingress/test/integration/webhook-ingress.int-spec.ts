import { createHmac, randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import type { PspEventReceived } from '@txn/contracts';
import { startSuiteService, suiteResources } from '@txn/service-harness';
import type { RunningService } from '@txn/service-kit';
import { Cleanups, collectEvents, testEnvironment, waitFor, type LogLine, type SuiteDatabase } from '@txn/testing';
import { webhookIngressService } from '../../src/service';
import { DEFAULT_BODY_LIMIT_BYTES, webhookSecrets, type IngressSettings } from '../../src/settings';

// The webhook ingress in-process (bootstrapService, as main.ts starts it) on the real PostgreSQL,
// Kafka and registry: signed deliveries in, rows and PspEventReceived on the suite topic out.

const CURRENT_SECRET = `whsec_${randomUUID().replace(/-/g, '')}`;
const PREVIOUS_SECRET = `whsec_${randomUUID().replace(/-/g, '')}`;
/** A second Stripe account, at /webhooks/stripe/eu, with a secret of its own. */
const EU_SECRET = `whsec_${randomUUID().replace(/-/g, '')}`;
const PAYMENT_ID = randomUUID();
const STEP_TIMEOUT_MS = 20_000;

function stripeEvent(type: string, object: Record<string, unknown>, id = `evt_${randomUUID().replace(/-/g, '').slice(0, 24)}`): Buffer {
  return Buffer.from(JSON.stringify({ id, object: 'event', type, api_version: '2024-06-20', created: Math.floor(Date.now() / 1000), livemode: false, data: { object } }, null, 2));
}

function paymentIntent(id: string): Record<string, unknown> {
  return { id, object: 'payment_intent', status: 'requires_capture', amount: 12_345, currency: 'eur', metadata: { payment_id: PAYMENT_ID, tenant_id: 'merchant-1' } };
}

function signature(secret: string, body: Buffer, at_s = Math.floor(Date.now() / 1000)): string {
  return `t=${at_s},v1=${createHmac('sha256', secret).update(`${at_s}.`).update(body).digest('hex')}`;
}

describe('webhook ingress (in-process, real PostgreSQL, Kafka, registry)', () => {
  const cleanups = new Cleanups();
  let service: RunningService;
  let logs: LogLine[];
  let pool: Pool;
  let databaseName: string;
  let runtimeRole: string;
  let url: string;
  const published: PspEventReceived[] = [];
  let settings: IngressSettings;
  let suite: { database: SuiteDatabase; secret: (name: string, value: string) => string; topicOf: Record<string, string>; groupId: string };

  beforeAll(async () => {
    const environment = testEnvironment();
    const { scope, topicOf, secret } = await suiteResources('webhook-ingress', ['psp.events.v1'], 3, cleanups);
    const database = await scope.database('webhook_ingress');
    databaseName = database.database;
    runtimeRole = database.runtime.user;
    settings = { apiPort: 0, apiHost: '127.0.0.1', stripeSecrets: webhookSecrets(CURRENT_SECRET, PREVIOUS_SECRET), stripeAccounts: new Map([['eu', webhookSecrets(EU_SECRET, undefined)]]), tolerance_s: 300, bodyLimit_bytes: DEFAULT_BODY_LIMIT_BYTES };
    suite = { database, secret, topicOf, groupId: scope.groupId('ingress') };
    ({ service, logs } = await startSuiteService({ service: 'webhook-ingress', database, secret, readSettings: () => ({}), definition: () => webhookIngressService(settings), topicOverrides: topicOf, consumerGroup: scope.groupId('ingress'), cleanups }));
    url = `http://127.0.0.1:${service.apiPort}/webhooks/stripe`;
    pool = new Pool({ ...database, max: 2 });
    // The database-down test terminates connections; an idle one of ours must not crash the suite.
    pool.on('error', () => undefined);
    cleanups.push(() => pool.end());
    const { AvroCodec } = await import('@txn/messaging');
    const codec = new AvroCodec({ registryUrl: environment.schemaRegistry.url, clientId: 'webhook-ingress-test' });
    const reader = await collectEvents({ brokers: environment.kafka.brokers, clientId: 'webhook-ingress-test', groupId: scope.groupId('reader'), topics: [topicOf['psp.events.v1']], codec, collect: ({ value }) => published.push(value as PspEventReceived) });
    cleanups.push(() => reader.stop());
  }, 60_000);

  afterAll(() => cleanups.runAll());

  const post = (body: Buffer, headers: Record<string, string>): Promise<Response> => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body });
  const storedOf = async (eventId: string): Promise<{ deliveries: number; events: number }> => {
    const result = await pool.query<{ deliveries: number; events: number }>(
      'SELECT (SELECT count(*)::int FROM webhook_deliveries WHERE psp_event_id = $1) AS deliveries, (SELECT count(*)::int FROM psp_events WHERE psp_event_id = $1) AS events',
      [eventId],
    );
    return result.rows[0] ?? { deliveries: -1, events: -1 };
  };
  const publishedOf = (eventId: string): PspEventReceived[] => published.filter((event) => event.pspEventId === eventId);

  it('stores a signed delivery with its raw bytes before answering 200, and publishes PspEventReceived once, normalised', async () => {
    const body = stripeEvent('payment_intent.amount_capturable_updated', paymentIntent('pi_first'));
    const eventId = (JSON.parse(body.toString()) as { id: string }).id;
    const response = await post(body, { 'stripe-signature': signature(CURRENT_SECRET, body) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, duplicate: false });
    // Stored before the answer: no waiting needed.
    expect(await storedOf(eventId)).toEqual({ deliveries: 1, events: 1 });
    const row = await pool.query<{ body: Buffer; source_kind: string; verified_secret_id: string }>('SELECT body, source_kind, verified_secret_id FROM webhook_deliveries WHERE psp_event_id = $1', [eventId]);
    expect(row.rows[0]?.body.equals(body)).toBe(true);
    expect(row.rows[0]).toMatchObject({ source_kind: 'VERIFIED', verified_secret_id: webhookSecrets(CURRENT_SECRET, undefined)[0]?.id });

    const [event] = await waitFor('PspEventReceived on the suite topic', () => (publishedOf(eventId).length > 0 ? publishedOf(eventId) : undefined), STEP_TIMEOUT_MS);
    expect(event).toMatchObject({
      provider: 'stripe',
      pspEventType: 'payment_intent.amount_capturable_updated',
      pspObjectType: 'payment_intent',
      pspObjectId: 'pi_first',
      pspPaymentIntentId: 'pi_first',
      paymentId: PAYMENT_ID,
      pspStatus: 'requires_capture',
      amount: { amountMinor: 12_345n, currency: 'EUR' },
      envelope: { producer: 'webhook-ingress', aggregateId: 'pi_first', tenantId: 'merchant-1', actor: { type: 'SYSTEM', id: 'psp:stripe' } },
    });
    expect(event?.rawPayload).toBe(body.toString());
  });

  it('answers the same event delivered five times (concurrently) 200 each time, stores five deliveries, one event, publishes once', async () => {
    const body = stripeEvent('payment_intent.succeeded', paymentIntent('pi_dup'));
    const eventId = (JSON.parse(body.toString()) as { id: string }).id;
    const responses = await Promise.all(Array.from({ length: 5 }, () => post(body, { 'stripe-signature': signature(CURRENT_SECRET, body) })));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    const answers = (await Promise.all(responses.map((response) => response.json()))) as { duplicate: boolean }[];
    expect(answers.filter((answer) => !answer.duplicate)).toHaveLength(1);
    expect(await storedOf(eventId)).toEqual({ deliveries: 5, events: 1 });
    await waitFor('the first delivery published', () => (publishedOf(eventId).length > 0 ? true : undefined), STEP_TIMEOUT_MS);
    // A later event proves the topic moved on past any second copy.
    const later = stripeEvent('payment_intent.succeeded', paymentIntent('pi_dup_later'));
    expect((await post(later, { 'stripe-signature': signature(CURRENT_SECRET, later) })).status).toBe(200);
    await waitFor('the later event published', () => (published.some((event) => event.pspObjectId === 'pi_dup_later') ? true : undefined), STEP_TIMEOUT_MS);
    expect(publishedOf(eventId)).toHaveLength(1);
  });

  it('during a rotation accepts the previous secret too, and names which secret verified', async () => {
    const body = stripeEvent('charge.succeeded', { id: 'ch_rot', object: 'charge', payment_intent: 'pi_rot', amount: 100, currency: 'eur' });
    const eventId = (JSON.parse(body.toString()) as { id: string }).id;
    expect((await post(body, { 'stripe-signature': signature(PREVIOUS_SECRET, body) })).status).toBe(200);
    const row = await pool.query<{ verified_secret_id: string }>('SELECT verified_secret_id FROM webhook_deliveries WHERE psp_event_id = $1', [eventId]);
    expect(row.rows[0]?.verified_secret_id).toBe(webhookSecrets(PREVIOUS_SECRET, undefined)[0]?.id);
  });

  it('after the rotation (an instance started with the new secret only) refuses the old secret and accepts the new one', async () => {
    const rotated: IngressSettings = { ...settings, stripeSecrets: webhookSecrets(CURRENT_SECRET, undefined) };
    const after = await startSuiteService({ service: 'webhook-ingress', database: suite.database, secret: suite.secret, readSettings: () => ({}), definition: () => webhookIngressService(rotated), topicOverrides: suite.topicOf, consumerGroup: suite.groupId, cleanups });
    const rotatedUrl = `http://127.0.0.1:${after.service.apiPort}/webhooks/stripe`;
    const body = stripeEvent('charge.succeeded', { id: 'ch_rotated', object: 'charge', payment_intent: 'pi_rotated', amount: 100, currency: 'eur' });
    const eventId = (JSON.parse(body.toString()) as { id: string }).id;
    const send = (secret: string): Promise<Response> => fetch(rotatedUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature(secret, body) }, body });
    expect((await send(PREVIOUS_SECRET)).status).toBe(400);
    expect(await storedOf(eventId)).toEqual({ deliveries: 0, events: 0 });
    expect((await send(CURRENT_SECRET)).status).toBe(200);
    expect(await storedOf(eventId)).toEqual({ deliveries: 1, events: 1 });
    await after.service.close();
  });

  it('refuses a forged signature, an expired timestamp, a missing signature, a wrong or missing content type and an oversized body: 4xx problems that say nothing, nothing stored, counted', async () => {
    const body = stripeEvent('payment_intent.succeeded', paymentIntent('pi_forged'));
    const eventId = (JSON.parse(body.toString()) as { id: string }).id;
    const attempts = [
      await post(body, { 'stripe-signature': signature('whsec_attacker', body) }),
      await post(body, { 'stripe-signature': signature(CURRENT_SECRET, body, Math.floor(Date.now() / 1000) - 301) }),
      await post(body, {}),
    ];
    for (const response of attempts) {
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toEqual({ type: '/problems/rejected', title: 'The webhook was not accepted', status: 400 });
    }
    const form = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain', 'stripe-signature': signature(CURRENT_SECRET, body) }, body });
    expect(form.status).toBe(415);
    // A byte body with no content type at all: refused the same way, not parsed on a guess.
    const untyped = await fetch(url, { method: 'POST', headers: { 'stripe-signature': signature(CURRENT_SECRET, body) }, body });
    expect(untyped.status).toBe(415);
    expect(untyped.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const huge = Buffer.from(JSON.stringify({ padding: 'x'.repeat(DEFAULT_BODY_LIMIT_BYTES) }));
    const oversized = await post(huge, { 'stripe-signature': signature(CURRENT_SECRET, huge) });
    expect(oversized.status).toBe(413);
    expect((await oversized.json()) as unknown).toMatchObject({ type: '/problems/payload-too-large' });
    expect(await storedOf(eventId)).toEqual({ deliveries: 0, events: 0 });
    const rejected = await service.dependencies.metrics.getSingleMetric('webhook_deliveries_rejected_total')?.get();
    const byReason = Object.fromEntries((rejected?.values ?? []).map((value) => [value.labels.reason, value.value]));
    expect(byReason).toMatchObject({ bad_signature: 1, timestamp_expired: 1, missing_signature: 1, content_type: 2, body_too_large: 1 });
    // The secret never reaches a log line.
    expect(JSON.stringify(logs)).not.toContain(CURRENT_SECRET);
  });

  it('stores and counts an event type payment does not consume, answers 200, publishes nothing', async () => {
    const body = stripeEvent('customer.created', { id: 'cus_1', object: 'customer' });
    const eventId = (JSON.parse(body.toString()) as { id: string }).id;
    expect((await post(body, { 'stripe-signature': signature(CURRENT_SECRET, body) })).status).toBe(200);
    expect(await storedOf(eventId)).toEqual({ deliveries: 1, events: 1 });
    const row = await pool.query('SELECT published FROM psp_events WHERE psp_event_id = $1', [eventId]);
    expect(row.rows).toEqual([{ published: false }]);
  });

  it('answers 503 while its database refuses connections, and stores the same delivery when the PSP retries after it is back', async () => {
    const environment = testEnvironment();
    const admin = new Client({ host: environment.postgres.host, port: environment.postgres.port, user: environment.postgres.adminUser, password: environment.postgres.adminPassword, database: 'postgres' });
    await admin.connect();
    const body = stripeEvent('payment_intent.succeeded', paymentIntent('pi_db_down'));
    const eventId = (JSON.parse(body.toString()) as { id: string }).id;
    try {
      await admin.query(`ALTER DATABASE ${databaseName} ALLOW_CONNECTIONS false`);
      // The service's own connections (its role's): the pool, the relay's session.
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND usename = $2', [databaseName, runtimeRole]);
      const refused = await post(body, { 'stripe-signature': signature(CURRENT_SECRET, body) });
      expect(refused.status).toBe(503);
      expect(await refused.json()).toEqual({ type: '/problems/unavailable', title: 'Temporarily unavailable; deliver again later', status: 503 });
      // The ingest SLO's bad event (docs/operations/slos.md).
      const unavailable = await service.dependencies.metrics.getSingleMetric('webhook_deliveries_unavailable_total')?.get();
      expect(unavailable?.values.find((value) => value.labels['provider'] === 'stripe')?.value).toBeGreaterThanOrEqual(1);
    } finally {
      await admin.query(`ALTER DATABASE ${databaseName} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    const retried = await waitFor('the retried delivery stored', async () => {
      const response = await post(body, { 'stripe-signature': signature(CURRENT_SECRET, body) });
      return response.status === 200 ? response : undefined;
    }, STEP_TIMEOUT_MS);
    expect(retried.status).toBe(200);
    expect(await storedOf(eventId)).toEqual({ deliveries: 1, events: 1 });
    await waitFor('the retried event published', () => (publishedOf(eventId).length === 1 ? true : undefined), STEP_TIMEOUT_MS);
  });
  it('takes a second PSP account at its own path with its own secret, stored under that account; an account it does not have is a 404', async () => {
    const body = stripeEvent('payment_intent.succeeded', paymentIntent('pi_eu'));
    const eventId = (JSON.parse(body.toString()) as { id: string }).id;
    const at = (path: string, secret: string): Promise<Response> => fetch(url.replace(/\/webhooks\/stripe$/, path), { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature(secret, body) }, body });
    // The default account's secret does not verify the EU account's deliveries, nor the reverse.
    expect((await at('/webhooks/stripe/eu', CURRENT_SECRET)).status).toBe(400);
    expect((await at('/webhooks/stripe', EU_SECRET)).status).toBe(400);
    const unknown = await at('/webhooks/stripe/us', EU_SECRET);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ type: '/problems/not-found', title: 'Not found', status: 404 });
    expect((await at('/webhooks/stripe/eu', EU_SECRET)).status).toBe(200);
    const { rows } = await pool.query('SELECT account, source_kind FROM webhook_deliveries WHERE psp_event_id = $1', [eventId]);
    expect(rows).toEqual([{ account: 'eu', source_kind: 'VERIFIED' }]);
    await waitFor('the EU event published', () => (publishedOf(eventId).length === 1 ? true : undefined), STEP_TIMEOUT_MS);
  });
});
