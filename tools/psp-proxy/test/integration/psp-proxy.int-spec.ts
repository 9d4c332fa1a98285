import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { MAX_REQUEST_BODY_BYTES, startPspProxy, type RunningPspProxy } from '../../src/proxy-server';
import { testEnvironment } from '@txn/testing';

// The proxy runs in this process on a free port, in front of the shared localstripe: no state is
// shared with other suites. Every test makes its own API key, idempotency keys and a run id in
// metadata, and counts payment intents at localstripe itself (not only the proxy's counters).
const STRIPE_API_VERSION = '2026-10-28.endive';
const REQUEST_TIMEOUT_MS = 10_000;
/** Long enough that requests fired together all arrive while the first one still holds the key. */
const SLOW_PSP_DELAY_MS = 1_500;
const CREATE_ROUTE = 'POST /v1/payment_intents';
const MAX_LIST_PAGES = 50;

let proxy: RunningPspProxy;

beforeAll(async () => {
  proxy = await startPspProxy({ upstreamUrl: testEnvironment().pspSandbox.url });
});

afterAll(async () => {
  await proxy.close();
});

function apiKey(): string {
  return `sk_test_proxy_${randomBytes(8).toString('hex')}`;
}

/** The SDK pointed at a proxy; retries as the caller says (0 = what the payment adapter will use). */
function clientThrough(target: { port: number }, key: string, maxNetworkRetries: number): Stripe {
  return new Stripe(key, {
    host: '127.0.0.1',
    port: target.port,
    protocol: 'http',
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries,
    timeout: REQUEST_TIMEOUT_MS,
    telemetry: false,
  });
}

function sandboxClient(): Stripe {
  return clientThrough(testEnvironment().pspSandbox, apiKey(), 0);
}

function holdParams(run: string, amount = 4_200): Stripe.PaymentIntentCreateParams {
  return { amount, currency: 'eur', payment_method: 'pm_card_visa', capture_method: 'manual', confirm: true, metadata: { proxy_test_run: run } };
}

/**
 * Counts the payment intents localstripe holds for one run. Its lists are oldest first, so a
 * marker intent created at the start bounds the scan to what came after it (other suites share it).
 */
async function intentsAtSandbox(run: string, marker: string): Promise<Stripe.PaymentIntent[]> {
  const stripe = sandboxClient();
  const found: Stripe.PaymentIntent[] = [];
  let after = marker;
  for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
    const list = await stripe.paymentIntents.list({ limit: 100, starting_after: after });
    found.push(...list.data.filter((intent) => intent.metadata.proxy_test_run === run));
    const last = list.data.at(-1);
    if (!list.has_more || last === undefined) return found;
    after = last.id;
  }
  throw new Error(`more than ${MAX_LIST_PAGES} pages of payment intents after ${marker}`);
}

async function newRun(): Promise<{ run: string; marker: string }> {
  const run = randomBytes(6).toString('hex');
  const marker = await sandboxClient().paymentIntents.create({ amount: 100, currency: 'eur', metadata: { proxy_test_marker: run } });
  return { run, marker: marker.id };
}

async function failure(call: Promise<unknown>): Promise<InstanceType<typeof Stripe.errors.StripeError>> {
  try {
    await call;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

function creates(): number {
  return proxy.stats().forwarded_by_route[CREATE_ROUTE] ?? 0;
}

describe('PSP fault proxy in front of localstripe', () => {
  it('replays the stored answer for a retry with the same key: one intent, identical bodies, Idempotent-Replayed', async () => {
    const { run, marker } = await newRun();
    const stripe = clientThrough(proxy, apiKey(), 0);
    const key = `hold-${run}`;
    const createsBefore = creates();

    const first = await stripe.paymentIntents.create(holdParams(run), { idempotencyKey: key });
    const second = await stripe.paymentIntents.create(holdParams(run), { idempotencyKey: key });

    expect(first.status).toBe('requires_capture');
    expect(second).toEqual(first);
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(creates() - createsBefore).toBe(1);
    expect((await intentsAtSandbox(run, marker)).map((intent) => intent.id)).toEqual([first.id]);
  });

  it('scopes keys per API key: the same key under another API key is another request', async () => {
    const { run, marker } = await newRun();
    const key = `hold-${run}`;
    const mine = await clientThrough(proxy, apiKey(), 0).paymentIntents.create(holdParams(run), { idempotencyKey: key });
    const theirs = await clientThrough(proxy, apiKey(), 0).paymentIntents.create(holdParams(run), { idempotencyKey: key });

    expect(theirs.id).not.toBe(mine.id);
    expect(theirs.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(await intentsAtSandbox(run, marker)).toHaveLength(2);
  });

  it('refuses the key with other parameters or on another endpoint (idempotency_error), creating nothing more', async () => {
    const { run, marker } = await newRun();
    const stripe = clientThrough(proxy, apiKey(), 0);
    const key = `hold-${run}`;
    const first = await stripe.paymentIntents.create(holdParams(run, 4_200), { idempotencyKey: key });

    const otherAmount = await failure(stripe.paymentIntents.create(holdParams(run, 9_900), { idempotencyKey: key }));
    const otherEndpoint = await failure(stripe.paymentIntents.capture(first.id, {}, { idempotencyKey: key }));

    for (const error of [otherAmount, otherEndpoint]) {
      expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
      expect(error).toMatchObject({ statusCode: 400, type: 'StripeIdempotencyError', rawType: 'idempotency_error' });
    }
    expect(otherEndpoint.message).toContain('/v1/payment_intents');
    expect((await intentsAtSandbox(run, marker)).map((intent) => intent.id)).toEqual([first.id]);
  });

  it('after a timeout that came after the PSP did the work, a retry with the same key gets the real answer and charges once', async () => {
    const { run, marker } = await newRun();
    const key = apiKey();
    const stripe = clientThrough(proxy, key, 0);
    proxy.faults.inject({ kind: 'timeout_after_work', method: 'POST', path: '/v1/payment_intents', api_key: key });
    const createsBefore = creates();

    const lost = await failure(stripe.paymentIntents.create(holdParams(run), { idempotencyKey: `hold-${run}` }));
    expect(lost).toMatchObject({ statusCode: 504, rawType: 'api_error' });
    const atSandbox = await intentsAtSandbox(run, marker);
    expect(atSandbox).toHaveLength(1); // the work was done although the client saw a 504

    const retried = await stripe.paymentIntents.create(holdParams(run), { idempotencyKey: `hold-${run}` });
    expect(retried.id).toBe(atSandbox[0]?.id);
    expect(retried.status).toBe('requires_capture');
    expect(retried.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(creates() - createsBefore).toBe(1);
    expect(await intentsAtSandbox(run, marker)).toHaveLength(1);
  });

  it('after a dropped connection once the PSP did the work, the SDK retries by itself with the same key (even at maxNetworkRetries 0)', async () => {
    const { run, marker } = await newRun();
    const key = apiKey();
    proxy.faults.inject({ kind: 'timeout_after_work', drop_connection: true, method: 'POST', path: '/v1/payment_intents', api_key: key });

    // stripe-node keys every POST and retries a reset connection once regardless of maxNetworkRetries.
    const created = await clientThrough(proxy, key, 0).paymentIntents.create(holdParams(run));

    expect(created.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await intentsAtSandbox(run, marker)).map((intent) => intent.id)).toEqual([created.id]);
  });

  it('after a 5xx before the PSP saw the request, nothing is stored and the retry with the same key creates exactly one intent', async () => {
    const { run, marker } = await newRun();
    const key = apiKey();
    const stripe = clientThrough(proxy, key, 0);
    // Through the admin API, as a test driving the proxy process would do it.
    const added = await fetch(`${proxy.url}/_faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'error_before_work', status: 503, method: 'POST', path: '/v1/payment_intents', api_key: key }),
    });
    expect(added.status).toBe(201);
    const createsBefore = creates();

    const refused = await failure(stripe.paymentIntents.create(holdParams(run), { idempotencyKey: `hold-${run}` }));
    expect(refused).toMatchObject({ statusCode: 503 });
    expect(await intentsAtSandbox(run, marker)).toHaveLength(0);

    const retried = await stripe.paymentIntents.create(holdParams(run), { idempotencyKey: `hold-${run}` });
    expect(retried.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(creates() - createsBefore).toBe(1);
    expect((await intentsAtSandbox(run, marker)).map((intent) => intent.id)).toEqual([retried.id]);

    const stats = (await (await fetch(`${proxy.url}/_stats`)).json()) as { faults_injected: Record<string, number> };
    expect(stats.faults_injected.error_before_work).toBeGreaterThanOrEqual(1);
  });

  it('with maxNetworkRetries 2 the SDK reuses its idempotency key across its own retries: one intent despite a 504 after the work', async () => {
    const { run, marker } = await newRun();
    const key = apiKey();
    proxy.faults.inject({ kind: 'timeout_after_work', method: 'POST', path: '/v1/payment_intents', api_key: key });
    proxy.faults.inject({ kind: 'error_before_work', method: 'POST', path: '/v1/payment_intents/*/capture', api_key: key, times: 2 });
    const stripe = clientThrough(proxy, key, 2);

    const held = await stripe.paymentIntents.create(holdParams(run));
    expect(held.lastResponse.headers['idempotent-replayed']).toBe('true');
    const captured = await stripe.paymentIntents.capture(held.id);
    expect(captured.status).toBe('succeeded');

    expect((await intentsAtSandbox(run, marker)).map((intent) => intent.id)).toEqual([held.id]);
    expect(proxy.faults.list().filter((rule) => rule.spec.api_key === key)).toEqual([]);
  });

  it('lets exactly one of concurrent requests with the same key run; the others get 409 idempotency_key_in_use', async () => {
    const { run, marker } = await newRun();
    const key = apiKey();
    const stripe = clientThrough(proxy, key, 0);
    proxy.faults.inject({ kind: 'delay', delay_ms: SLOW_PSP_DELAY_MS, method: 'POST', path: '/v1/payment_intents', api_key: key });
    const attempts = 6;

    const outcomes = await Promise.allSettled(
      Array.from({ length: attempts }, () => stripe.paymentIntents.create(holdParams(run), { idempotencyKey: `hold-${run}` })),
    );

    const created = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const conflicts = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as InstanceType<typeof Stripe.errors.StripeError>] : []));
    expect(created).toHaveLength(1);
    expect(conflicts).toHaveLength(attempts - 1);
    for (const conflict of conflicts) expect(conflict).toMatchObject({ statusCode: 409, code: 'idempotency_key_in_use', rawType: 'idempotency_error' });

    const later = await stripe.paymentIntents.create(holdParams(run), { idempotencyKey: `hold-${run}` });
    expect(later.id).toBe(created[0]?.id);
    expect((await intentsAtSandbox(run, marker)).map((intent) => intent.id)).toEqual([later.id]);
  });

  it('answers a synthetic 402 card_declined without reaching the PSP, and replays it for the same key', async () => {
    const { run, marker } = await newRun();
    const key = apiKey();
    const stripe = clientThrough(proxy, key, 0);
    proxy.faults.inject({ kind: 'card_declined', method: 'POST', path: '/v1/payment_intents', api_key: key });

    const declined = await failure(stripe.paymentIntents.create(holdParams(run), { idempotencyKey: `hold-${run}` }));
    const again = await failure(stripe.paymentIntents.create(holdParams(run), { idempotencyKey: `hold-${run}` }));

    for (const error of [declined, again]) {
      expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect(error).toMatchObject({ statusCode: 402, code: 'card_declined' });
    }
    expect(again.headers?.['idempotent-replayed']).toBe('true');
    expect(await intentsAtSandbox(run, marker)).toHaveLength(0);
  });

  it('keeps stored answers across a proxy restart (journal in its data folder)', async () => {
    const { run, marker } = await newRun();
    const folder = mkdtempSync(join(tmpdir(), 'psp-proxy-journal-'));
    const journalFile = join(folder, 'idempotency-journal.jsonl');
    const key = apiKey();
    try {
      const before = await startPspProxy({ upstreamUrl: testEnvironment().pspSandbox.url, journalFile });
      const first = await clientThrough(before, key, 0).paymentIntents.create(holdParams(run), { idempotencyKey: `hold-${run}` });
      await before.close();

      const after = await startPspProxy({ upstreamUrl: testEnvironment().pspSandbox.url, journalFile });
      try {
        const retried = await clientThrough(after, key, 0).paymentIntents.create(holdParams(run), { idempotencyKey: `hold-${run}` });
        expect(retried.id).toBe(first.id);
        expect(retried.lastResponse.headers['idempotent-replayed']).toBe('true');
        expect(after.stats()).toMatchObject({ forwarded: 0, replayed: 1, stored_responses: 1 });
      } finally {
        await after.close();
      }
      expect(await intentsAtSandbox(run, marker)).toHaveLength(1);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('answers a body over its bound with a Stripe-shaped 413 and goes on serving (it does not fall over on the dropped socket)', async () => {
    const tooLarge = await fetch(`${proxy.url}/v1/payment_intents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey()}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: `amount=100&metadata[pad]=${'x'.repeat(MAX_REQUEST_BODY_BYTES + 1)}`,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
    const { run } = await newRun();
    expect((await clientThrough(proxy, apiKey(), 0).paymentIntents.create(holdParams(run), { idempotencyKey: `after-413-${run}` })).id).toMatch(/^pi_/);
  });
});
