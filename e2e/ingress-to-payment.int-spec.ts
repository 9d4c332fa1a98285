import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Client, Pool } from 'pg';
import { uuidV5 } from '@txn/domain-kernel';
import { baseServiceSettings, Cleanups, createSuiteScope, freePort, secretFiles, testEnvironment, waitFor, type SuiteDatabase } from '@txn/testing';
import { requestBookingOn } from './support/booking-requests';
import { startPlatformProcesses, type PlatformProcesses } from './support/platform-processes';
import { PRICE_MINOR, STEP_TIMEOUT_MS } from './support/saga-figures';

// The PSP's webhooks all the way into payment: the ingress, booking, payment and ledger as the
// platform runs them (processes, on the suite's topics by KAFKA_TOPIC_PREFIX), on the real Kafka,
// PostgreSQL, registry and localstripe. Each saga's capture answer is lost on the way back (the
// fault proxy), so only a webhook can tell payment the money was taken: payment keeps the
// production outcome-query schedule (its first query is a minute away). The webhooks are posted
// as the PSP would, signed with the ingress' secret: a burst during which the ingress is
// SIGKILLed, then its database refusing connections.

const ROOT_DIR = resolve(__dirname, '..');
const SECRET = `whsec_${randomUUID().replace(/-/g, '')}`;
/** The namespace of the ingress' envelope ids (UUID v5 of `stripe:<PSP event id>`). */
const INGRESS_EVENT_NAMESPACE = '3d0b7f5e-2c1a-4e8b-9f6d-5a4c3b2e1d0f';
const SAGAS = 6;
/** Copies of each saga's event under distinct PSP event ids (Stripe sends several per intent): a burst of SAGAS × COPIES. */
const COPIES = 15;
const CONCURRENCY = 8;
const KILL_AFTER_ACKNOWLEDGED = 25;
const START_TIMEOUT_MS = 180_000;
const TEST_TIMEOUT_MS = 240_000;

interface Webhook {
  readonly pspEventId: string;
  readonly body: Buffer;
}

function signed(webhook: Webhook): string {
  const at = Math.floor(Date.now() / 1000);
  return `t=${at},v1=${createHmac('sha256', SECRET).update(`${at}.`).update(webhook.body).digest('hex')}`;
}

/** `payment_intent.succeeded` as Stripe sends it, for an intent of ours (its metadata names the payment). */
function succeeded(intentId: string, paymentId: string, tenantId: string): Webhook {
  const pspEventId = `evt_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
  const object = { id: intentId, object: 'payment_intent', status: 'succeeded', amount: Number(PRICE_MINOR), amount_received: Number(PRICE_MINOR), currency: 'eur', metadata: { payment_id: paymentId, tenant_id: tenantId } };
  return { pspEventId, body: Buffer.from(JSON.stringify({ id: pspEventId, object: 'event', type: 'payment_intent.succeeded', api_version: '2024-06-20', created: Math.floor(Date.now() / 1000), livemode: false, data: { object } })) };
}

describe('PSP webhooks into payment through the ingress process: killed in a burst, its database down (real Kafka, PostgreSQL, registry, localstripe)', () => {
  const cleanups = new Cleanups();
  let platform: PlatformProcesses;
  let database: SuiteDatabase;
  let child: ChildProcess | undefined;
  let apiPort = 0;
  let env: NodeJS.ProcessEnv = {};

  async function startIngress(): Promise<number> {
    const started = spawn(process.execPath, ['--import', 'tsx', '--disable-warning=TimeoutNegativeWarning', join(ROOT_DIR, 'services', 'webhook-ingress', 'src', 'main.ts')], { cwd: ROOT_DIR, env, detached: true, stdio: 'ignore' });
    child = started;
    await waitFor('the ingress to accept deliveries', async () => {
      const response = await fetch(`http://127.0.0.1:${apiPort}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
      return response?.status === 400 ? true : undefined;
    }, 60_000, 200);
    return started.pid ?? 0;
  }

  const deliver = (webhook: Webhook): Promise<Response | undefined> =>
    fetch(`http://127.0.0.1:${apiPort}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signed(webhook) }, body: webhook.body }).catch(() => undefined);

  /** The webhook's event reached payment's inbox: payment handled it (applied, or recorded stale). */
  async function handledByPayment(webhooks: readonly Webhook[]): Promise<Set<string>> {
    const ids = webhooks.map((webhook) => uuidV5(INGRESS_EVENT_NAMESPACE, `stripe:${webhook.pspEventId}`));
    const { rows } = await platform.payment.pool.query<{ event_id: string }>('SELECT event_id FROM inbox WHERE event_id = ANY($1::uuid[])', [ids]);
    const handled = new Set(rows.map((row) => row.event_id));
    return new Set(webhooks.filter((webhook) => handled.has(uuidV5(INGRESS_EVENT_NAMESPACE, `stripe:${webhook.pspEventId}`))).map((webhook) => webhook.pspEventId));
  }

  /** A saga whose capture happened at the PSP but whose answer was lost: payment is OUTCOME_UNKNOWN until it hears otherwise. */
  async function sagaWithLostCapture(customerId: string): Promise<{ bookingId: string; paymentId: string; intentId: string }> {
    const { bookingId } = await requestBookingOn(platform, customerId);
    const authorized = await platform.waitForEvent(bookingId, 'PaymentAuthorized', STEP_TIMEOUT_MS);
    await platform.waitForEvent(bookingId, 'PaymentOutcomeUnknown', STEP_TIMEOUT_MS, (event) => event.value.operation === 'CAPTURE');
    return { bookingId, paymentId: String(authorized.value.paymentId), intentId: String(authorized.value.pspPaymentIntentId) };
  }

  beforeAll(async () => {
    // Payment-domain's own schedule (divisor 1): the outcome poller stays out of the way for a minute.
    platform = await startPlatformProcesses({ environment: { payment: { PAYMENT_OUTCOME_QUERY_TIME_DIVISOR: '1' } } });
    const prefix = platform.topicPrefix;
    const scope = await createSuiteScope('ingress-payment');
    cleanups.push(() => scope.dispose());
    database = await scope.database('webhook_ingress');
    const secrets = secretFiles('ingress-payment-');
    cleanups.push(() => secrets.remove());
    apiPort = await freePort();
    env = { ...process.env, ...baseServiceSettings('webhook-ingress', database, secrets.write, 'warn'), API_PORT: String(apiPort), KAFKA_TOPIC_PREFIX: prefix, WEBHOOK_STRIPE_SECRET_FILE: secrets.write('whsec', SECRET) };
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    if (child?.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    await cleanups.runAll();
    await platform?.close();
  }, START_TIMEOUT_MS);

  afterEach(() => platform?.proxy.faults.clear());

  it('SIGKILLed during a burst: every webhook it acknowledged is applied in payment; the rest, delivered again, once; each lost capture resolved once', async () => {
    platform.proxy.faults.inject({ kind: 'timeout_after_work', method: 'POST', path: '/v1/payment_intents/*/capture', api_key: platform.pspApiKey, times: SAGAS });
    const sagas = [];
    for (let index = 0; index < SAGAS; index += 1) sagas.push(await sagaWithLostCapture(`customer-burst-${index}`));
    const webhooks = sagas.flatMap((saga) => Array.from({ length: COPIES }, () => succeeded(saga.intentId, saga.paymentId, platform.tenantId)));
    const firstPid = await startIngress();

    const acknowledged = new Set<string>();
    let next = 0;
    let killed = false;
    const worker = async (): Promise<void> => {
      while (next < webhooks.length) {
        const webhook = webhooks[next];
        next += 1;
        if (webhook === undefined) return;
        const response = await deliver(webhook);
        if (response?.status === 200) acknowledged.add(webhook.pspEventId);
        if (!killed && acknowledged.size >= KILL_AFTER_ACKNOWLEDGED) {
          killed = true;
          process.kill(-firstPid, 'SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(killed).toBe(true);
    expect(acknowledged.size).toBeLessThan(webhooks.length);

    // Back up: the relay publishes what the killed process committed; payment applies each.
    await startIngress();
    const acknowledgedHooks = webhooks.filter((webhook) => acknowledged.has(webhook.pspEventId));
    await waitFor('every acknowledged webhook handled by payment', async () => ((await handledByPayment(acknowledgedHooks)).size === acknowledgedHooks.length ? true : undefined), STEP_TIMEOUT_MS);
    // The PSP delivers again what it never saw acknowledged.
    for (const webhook of webhooks.filter((candidate) => !acknowledged.has(candidate.pspEventId))) expect((await deliver(webhook))?.status).toBe(200);
    await waitFor('every webhook handled by payment', async () => ((await handledByPayment(webhooks)).size === webhooks.length ? true : undefined), STEP_TIMEOUT_MS);

    for (const saga of sagas) {
      const captured = await platform.waitForEvent(saga.bookingId, 'PaymentCaptured', STEP_TIMEOUT_MS);
      expect(captured.value).toMatchObject({ statusBefore: 'OUTCOME_UNKNOWN', statusAfter: 'CAPTURED', reason: 'PSP_WEBHOOK', capturedAmount: { amountMinor: PRICE_MINOR } });
      await platform.waitForEvent(saga.bookingId, 'EntryPosted', STEP_TIMEOUT_MS, (event) => event.value.entryType === 'CAPTURE_TO_ESCROW');
    }
    // Fifteen webhooks a saga, across a kill: one capture each, and one intent at the PSP.
    const intents = await platform.intentsAtSandbox();
    for (const saga of sagas) expect(intents.filter((intent) => intent.metadata['payment_id'] === saga.paymentId)).toHaveLength(1);
    for (const saga of sagas) {
      expect(platform.sagaOf(saga.bookingId).filter((event) => event.eventType === 'PaymentCaptured')).toHaveLength(1);
    }
    const ingressPool = new Pool({ ...database, max: 1 });
    cleanups.push(() => ingressPool.end());
    const { rows } = await ingressPool.query<{ events: number; first: number }>('SELECT count(*)::int AS events, (SELECT count(*)::int FROM webhook_deliveries WHERE first_delivery) AS first FROM psp_events');
    expect(rows).toEqual([{ events: webhooks.length, first: webhooks.length }]);
  }, TEST_TIMEOUT_MS);

  it('its database refusing connections: 503, never 200; the PSP\'s retry once it is back is stored, and payment applies it', async () => {
    platform.proxy.faults.inject({ kind: 'timeout_after_work', method: 'POST', path: '/v1/payment_intents/*/capture', api_key: platform.pspApiKey, times: 1 });
    const saga = await sagaWithLostCapture('customer-ingress-db-down');
    const webhook = succeeded(saga.intentId, saga.paymentId, platform.tenantId);
    const environment = testEnvironment();
    const admin = new Client({ host: environment.postgres.host, port: environment.postgres.port, user: environment.postgres.adminUser, password: environment.postgres.adminPassword, database: 'postgres' });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${database.database} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND usename = $2', [database.database, database.runtime.user]);
      const refused = await deliver(webhook);
      expect(refused?.status).toBe(503);
      expect(await handledByPayment([webhook])).toEqual(new Set());
    } finally {
      await admin.query(`ALTER DATABASE ${database.database} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    // Stripe delivers again (with backoff) until it sees a 2xx.
    await waitFor('the retried delivery acknowledged', async () => ((await deliver(webhook))?.status === 200 ? true : undefined), STEP_TIMEOUT_MS, 500);
    await waitFor('the webhook handled by payment', async () => ((await handledByPayment([webhook])).size === 1 ? true : undefined), STEP_TIMEOUT_MS);
    const captured = await platform.waitForEvent(saga.bookingId, 'PaymentCaptured', STEP_TIMEOUT_MS);
    expect(captured.value).toMatchObject({ statusBefore: 'OUTCOME_UNKNOWN', statusAfter: 'CAPTURED', reason: 'PSP_WEBHOOK' });
  }, TEST_TIMEOUT_MS);
});
