import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import Stripe from 'stripe';
import { BookingCancelled, BookingConfirmed, BookingHeld, type Money } from '@txn/contracts';
import { startPrivateSandbox, startPspProxy, type PrivateSandbox, type ProxyEvent, type RunningPspProxy } from '@txn/psp-proxy';
import { paymentIdOf } from '../../src/application/payment-id';
import { STRIPE_API_VERSION } from '../../src/psp/stripe-psp';
import { BookingFacts, eur, PRICE_MINOR, startPaymentInProcess, type PaymentInProcess, type SeenEvent } from './support';

// The payment service in-process (bootstrapService, as main.ts does) on the real PostgreSQL,
// Kafka and registry (suite database, suite topics via topicOverrides, suite consumer group), and
// an in-process PSP fault proxy on a free port in front of the real localstripe: a private copy
// of the platform's sandbox (its launcher, serve.py, with this checkout's patches: the list filter
// by `created`, capture_before). Every payment is counted at localstripe itself, by our
// metadata.payment_id, after a marker intent made at start. The proxy's clock can be moved: past
// 24 h it has forgotten every idempotency key, as Stripe may.

/** Divides the 1 min / 5 min / 30 min … query schedule: first query after 300 ms, then 1.5 s, 9 s. */
const QUERY_TIME_DIVISOR = 200;
const TENANT = 'merchant-pay-1';
/** 10 % of 12 345, rounded half up (the ledger's rule): 1 234.5 → 1 235. */
const FEE_MINOR = 1_235n;
const DECLINING_CUSTOMER = 'customer-declines';
const MAX_LIST_PAGES = 100;
/** Stripe keeps an idempotency key at least 24 h, our proxy exactly that long: this is past it. */
const KEYS_FORGOTTEN_MS = 25 * 3_600_000;
const SECOND_MS = 1_000;
const facts = new BookingFacts(TENANT);

describe('payment service (in-process, real PostgreSQL, Kafka, registry, localstripe behind the fault proxy)', () => {
  const apiKey = `sk_test_payment_${randomBytes(8).toString('hex')}`;
  let privateSandbox: PrivateSandbox;
  let sandbox: Stripe;
  let payment: PaymentInProcess;
  let proxy: RunningPspProxy;
  let marker: string;
  /** Added to the proxy's clock (its idempotency keys' age). */
  let proxyClockAhead_ms = 0;
  /** Sees every notable event of the proxy (faults injected, replays), as it happens. */
  let onProxyEvent: (event: ProxyEvent) => void = () => undefined;

  function confirmed(booking: BookingHeld): BookingConfirmed {
    return { envelope: facts.envelope('BookingConfirmed', booking.bookingId), bookingId: booking.bookingId, statusBefore: 'HELD', statusAfter: 'CONFIRMED', reason: 'PAYMENT_AUTHORIZED', paymentId: paymentIdOf(booking.bookingId), authorizedAmount: booking.price };
  }

  function cancelled(booking: BookingHeld, refundAmount: Money | null): BookingCancelled {
    return {
      envelope: facts.envelope('BookingCancelled', booking.bookingId),
      bookingId: booking.bookingId,
      statusBefore: 'CONFIRMED',
      statusAfter: 'CANCELLED',
      reason: 'CUSTOMER_REQUEST',
      paymentId: paymentIdOf(booking.bookingId),
      refundAmount,
      slot: booking.slot,
    };
  }

  /** Our intents for one payment at localstripe itself (lists are oldest first; the marker bounds the scan). */
  async function intentsAtSandbox(paymentId: string): Promise<Stripe.PaymentIntent[]> {
    const found: Stripe.PaymentIntent[] = [];
    let after = marker;
    for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
      const list = await sandbox.paymentIntents.list({ limit: 100, starting_after: after });
      found.push(...list.data.filter((intent) => intent.metadata.payment_id === paymentId));
      const last = list.data.at(-1);
      if (!list.has_more || last === undefined) return found;
      after = last.id;
    }
    throw new Error(`more than ${MAX_LIST_PAGES} pages of payment intents after ${marker}`);
  }

  async function authorizedBooking(): Promise<{ booking: BookingHeld; authorized: SeenEvent }> {
    const booking = facts.held();
    await payment.send(BookingHeld, booking);
    return { booking, authorized: await payment.waitForEvent(booking.bookingId, 'PaymentAuthorized') };
  }

  /** The intent and its charge as the PSP itself holds them. */
  async function chargeAtSandbox(intentId: string): Promise<Stripe.Charge> {
    const intent = await sandbox.paymentIntents.retrieve(intentId, { expand: ['latest_charge'] });
    if (intent.latest_charge === null || typeof intent.latest_charge === 'string') throw new Error(`${intentId} has no expanded charge`);
    return intent.latest_charge;
  }

  /** When the PSP says the authorization lapses (capture_before) and when it authorized (the charge's created). */
  async function authorizationTimesAtSandbox(intentId: string): Promise<{ authorizationExpiresAt: Date; authorizedAt: Date }> {
    const charge = await chargeAtSandbox(intentId);
    const captureBefore = charge.payment_method_details?.card?.capture_before;
    if (typeof captureBefore !== 'number') throw new Error(`charge ${charge.id} says no capture_before`);
    return { authorizationExpiresAt: new Date(captureBefore * SECOND_MS), authorizedAt: new Date(charge.created * SECOND_MS) };
  }

  beforeAll(async () => {
    privateSandbox = await startPrivateSandbox();
    sandbox = new Stripe(apiKey, { host: privateSandbox.host, port: privateSandbox.port, protocol: 'http', apiVersion: STRIPE_API_VERSION, maxNetworkRetries: 0, timeout: 10_000, telemetry: false });
    proxy = await startPspProxy({ upstreamUrl: privateSandbox.url, now_ms: () => Date.now() + proxyClockAhead_ms, onEvent: (event) => onProxyEvent(event) });
    marker = (await sandbox.paymentIntents.create({ amount: 100, currency: 'eur', metadata: { payment_test_marker: apiKey } })).id;
    payment = await startPaymentInProcess({
      suiteName: 'payment-service',
      pspApiKey: apiKey,
      settings: {
        PSP_API_URL: proxy.url,
        PSP_TIMEOUT_MS: '5000',
        PLATFORM_FEE_BPS: '1000',
        PAYMENT_CALL_POLL_INTERVAL_MS: '200',
        PAYMENT_OUTCOME_POLL_INTERVAL_MS: '100',
        PAYMENT_OUTCOME_QUERY_TIME_DIVISOR: String(QUERY_TIME_DIVISOR),
      },
      seams: { paymentMethodOf: (customerId) => (customerId === DECLINING_CUSTOMER ? 'pm_card_chargeCustomerFail' : 'pm_card_visa') },
      logLevel: 'info',
      readPaymentEvents: true,
    });
  });

  afterAll(async () => {
    // PAYMENT_TEST_LOG_FILE=<path> keeps the service's log lines of the run for a person to read.
    if (process.env.PAYMENT_TEST_LOG_FILE !== undefined && payment !== undefined) writeFileSync(process.env.PAYMENT_TEST_LOG_FILE, payment.logs.map((line) => JSON.stringify(line)).join('\n'));
    await payment?.close();
    await proxy?.close();
    await privateSandbox?.stop();
  });

  afterEach(() => {
    proxy.faults.clear();
    onProxyEvent = () => undefined;
  });

  it('authorizes a held booking: PaymentAuthorized, and a manual-capture PaymentIntent requires_capture at the PSP', async () => {
    const { booking, authorized } = await authorizedBooking();
    const paymentId = paymentIdOf(booking.bookingId);

    expect(authorized.key).toBe(paymentId);
    expect(authorized.value).toMatchObject({ paymentId, statusBefore: 'PENDING', statusAfter: 'AUTHORIZED', reason: 'PSP_RESPONSE', authorizedAmount: eur(PRICE_MINOR), pspIdempotencyKey: `pay_${paymentId}_authorize` });
    // Recorded from the PSP's answer, outside any consumer, yet caused by the BookingHeld that asked for the call.
    expect(authorized.value.envelope).toMatchObject({ aggregateId: paymentId, correlationId: booking.bookingId, causationId: booking.envelope.eventId, tenantId: TENANT, producer: 'payment', aggregateVersion: 1n, actor: { type: 'SERVICE', id: 'payment' } });
    const intents = await intentsAtSandbox(paymentId);
    expect(intents.map((intent) => [intent.id, intent.status, intent.capture_method, intent.amount])).toEqual([[authorized.value.pspPaymentIntentId, 'requires_capture', 'manual', Number(PRICE_MINOR)]]);
    const row = await payment.pool.query('SELECT status, version, in_flight FROM payments WHERE payment_id = $1', [paymentId]);
    expect(row.rows).toEqual([{ status: 'AUTHORIZED', version: '1', in_flight: null }]);
    const calls = await payment.pool.query('SELECT count(*)::int AS n FROM psp_calls WHERE payment_id = $1', [paymentId]);
    expect(calls.rows[0]?.n).toBe(0);
  });

  it('captures on BookingConfirmed: PaymentCaptured with the platform fee split as the ledger splits it', async () => {
    const { booking, authorized } = await authorizedBooking();
    await payment.send(BookingConfirmed, confirmed(booking));

    const captured = await payment.waitForEvent(booking.bookingId, 'PaymentCaptured');
    expect(captured.value).toMatchObject({ statusBefore: 'AUTHORIZED', statusAfter: 'CAPTURED', capturedAmount: eur(PRICE_MINOR), platformFee: eur(FEE_MINOR), pspPaymentIntentId: authorized.value.pspPaymentIntentId });
    expect(captured.value.envelope).toMatchObject({ aggregateVersion: 2n, correlationId: booking.bookingId });
    const [intent] = await intentsAtSandbox(paymentIdOf(booking.bookingId));
    expect(intent?.status).toBe('succeeded');
  });

  it('records a declined card as PaymentFailed (never retried, nothing held)', async () => {
    const booking = facts.held({ customerId: DECLINING_CUSTOMER });
    await payment.send(BookingHeld, booking);

    const failed = await payment.waitForEvent(booking.bookingId, 'PaymentFailed');
    expect(failed.value).toMatchObject({ statusBefore: 'PENDING', statusAfter: 'FAILED', reason: 'PSP_RESPONSE', failureCode: 'card_declined', amount: eur(PRICE_MINOR) });
    expect(payment.eventsOf(booking.bookingId, 'PaymentAuthorized')).toHaveLength(0);
    const intents = await intentsAtSandbox(paymentIdOf(booking.bookingId));
    expect(intents.every((intent) => intent.status !== 'requires_capture' && intent.status !== 'succeeded')).toBe(true);
  });

  it('turns a 504 after the PSP authorized into outcome_unknown, then the poller resolves it to authorized with exactly one PaymentIntent', async () => {
    proxy.faults.inject({ kind: 'timeout_after_work', path: '/v1/payment_intents', method: 'POST', api_key: apiKey, times: 1, status: 504 });
    const booking = facts.held();
    const paymentId = paymentIdOf(booking.bookingId);
    await payment.send(BookingHeld, booking);

    const unknown = await payment.waitForEvent(booking.bookingId, 'PaymentOutcomeUnknown');
    expect(unknown.value).toMatchObject({ statusBefore: 'PENDING', statusAfter: 'OUTCOME_UNKNOWN', operation: 'AUTHORIZE', pspIdempotencyKey: `pay_${paymentId}_authorize`, pspPaymentIntentId: null });
    expect(String(unknown.value.reason)).toContain('504');
    const authorized = await payment.waitForEvent(booking.bookingId, 'PaymentAuthorized');
    expect(authorized.value).toMatchObject({ statusBefore: 'OUTCOME_UNKNOWN', statusAfter: 'AUTHORIZED', reason: 'PSP_QUERY' });
    expect(payment.eventsOf(booking.bookingId, 'PaymentFailed')).toHaveLength(0);

    const intents = await intentsAtSandbox(paymentId);
    expect(intents.map((intent) => [intent.id, intent.status])).toEqual([[authorized.value.pspPaymentIntentId, 'requires_capture']]);
    expect(proxy.stats().faults_injected.timeout_after_work).toBeGreaterThanOrEqual(1);
  });

  it('refunds a cancellation after capture by policy, never more than was captured, once however often it is asked', async () => {
    const { booking } = await authorizedBooking();
    await payment.send(BookingConfirmed, confirmed(booking));
    await payment.waitForEvent(booking.bookingId, 'PaymentCaptured');

    // Booking's policy amount above the capture (a bug there, or a fee): payment refunds at most what it captured.
    const cancellation = cancelled(booking, eur(PRICE_MINOR + 5_000n));
    await payment.send(BookingCancelled, cancellation);
    const refunded = await payment.waitForEvent(booking.bookingId, 'PaymentRefunded');
    expect(refunded.value).toMatchObject({ statusBefore: 'CAPTURED', statusAfter: 'REFUNDED', refundId: cancellation.envelope.eventId, refundedAmount: eur(PRICE_MINOR), totalRefunded: eur(PRICE_MINOR), reason: 'CUSTOMER_REQUEST' });

    // The same cancellation redelivered, and a second one: no second refund.
    await payment.send(BookingCancelled, cancellation);
    const again = cancelled(booking, eur(1_000n));
    await payment.send(BookingCancelled, again);
    expect(await payment.waitForOutcome(cancellation.envelope.eventId, 2)).toEqual(['applied', 'duplicate']);
    expect(await payment.waitForOutcome(again.envelope.eventId)).toEqual(['stale']);

    const [intent] = await intentsAtSandbox(paymentIdOf(booking.bookingId));
    const refunds = await sandbox.refunds.list({ payment_intent: intent?.id ?? 'missing', limit: 100 });
    expect(refunds.data.map((refund) => refund.amount)).toEqual([Number(PRICE_MINOR)]);
    expect(payment.eventsOf(booking.bookingId, 'PaymentRefunded')).toHaveLength(1);
  });

  it('refunds a partial policy amount after capture and leaves the payment partially refunded', async () => {
    const { booking } = await authorizedBooking();
    await payment.send(BookingConfirmed, confirmed(booking));
    await payment.waitForEvent(booking.bookingId, 'PaymentCaptured');

    const cancellation = cancelled(booking, eur(6_172n));
    await payment.send(BookingCancelled, cancellation);
    const refunded = await payment.waitForEvent(booking.bookingId, 'PaymentRefunded');
    expect(refunded.value).toMatchObject({ statusAfter: 'PARTIALLY_REFUNDED', refundedAmount: eur(6_172n), totalRefunded: eur(6_172n), pspIdempotencyKey: `pay_${paymentIdOf(booking.bookingId)}_refund_1` });
    const [intent] = await intentsAtSandbox(paymentIdOf(booking.bookingId));
    const refunds = await sandbox.refunds.list({ payment_intent: intent?.id ?? 'missing', limit: 100 });
    expect(refunds.data.map((refund) => refund.amount)).toEqual([6_172]);
  });

  it('announces a refund the PSP refused with PaymentRefundFailed: status unchanged, nothing refunded, the payment flagged for a person', async () => {
    const { booking } = await authorizedBooking();
    await payment.send(BookingConfirmed, confirmed(booking));
    await payment.waitForEvent(booking.bookingId, 'PaymentCaptured');
    const paymentId = paymentIdOf(booking.bookingId);
    const [intent] = await intentsAtSandbox(paymentId);

    // The PSP refuses the refund with a card error (402) instead of creating it.
    proxy.faults.inject({ kind: 'card_declined', path: '/v1/refunds', method: 'POST', api_key: apiKey, times: 1 });
    const cancellation = cancelled(booking, eur(PRICE_MINOR));
    await payment.send(BookingCancelled, cancellation);

    const failed = await payment.waitForEvent(booking.bookingId, 'PaymentRefundFailed');
    expect(failed.value).toMatchObject({
      paymentId,
      statusBefore: 'CAPTURED',
      statusAfter: 'CAPTURED',
      refundId: cancellation.envelope.eventId,
      requestedAmount: eur(PRICE_MINOR),
      pspPaymentIntentId: intent?.id,
      pspIdempotencyKey: `pay_${paymentId}_refund_1`,
      via: 'PSP_RESPONSE',
    });
    expect(String(failed.value.failureCode)).not.toBe('');
    const row = await payment.pool.query<{ status: string; needs_attention: boolean }>('SELECT status, needs_attention FROM payments WHERE payment_id = $1', [paymentId]);
    expect(row.rows).toEqual([{ status: 'CAPTURED', needs_attention: true }]);
    const refunds = await sandbox.refunds.list({ payment_intent: intent?.id ?? 'missing', limit: 100 });
    expect(refunds.data).toEqual([]);
    expect(payment.eventsOf(booking.bookingId, 'PaymentRefunded')).toHaveLength(0);
  });

  it('treats a redelivered BookingHeld as duplicate and another BookingHeld for the booking as stale: one PaymentIntent', async () => {
    const booking = facts.held();
    const paymentId = paymentIdOf(booking.bookingId);
    await payment.send(BookingHeld, booking);
    await payment.send(BookingHeld, booking);
    const replayed: BookingHeld = { ...booking, envelope: facts.envelope('BookingHeld', booking.bookingId) };
    await payment.send(BookingHeld, replayed);

    await payment.waitForEvent(booking.bookingId, 'PaymentAuthorized');
    expect(await payment.waitForOutcome(booking.envelope.eventId, 2)).toEqual(['applied', 'duplicate']);
    expect(await payment.waitForOutcome(replayed.envelope.eventId)).toEqual(['stale']);
    const unapplied = await payment.pool.query('SELECT outcome, reason FROM unapplied_messages WHERE event_id = $1', [replayed.envelope.eventId]);
    expect(unapplied.rows).toEqual([{ outcome: 'stale', reason: 'PAYMENT_ALREADY_CREATED' }]);
    expect(await intentsAtSandbox(paymentId)).toHaveLength(1);
    expect(payment.eventsOf(booking.bookingId, 'PaymentAuthorized')).toHaveLength(1);
  });

  it('says when the PSP will drop the authorization: PaymentAuthorized carries the charge\'s capture_before and the PSP\'s own time, stored on the payment', async () => {
    const { booking, authorized } = await authorizedBooking();
    const times = await authorizationTimesAtSandbox(String(authorized.value.pspPaymentIntentId));

    expect(authorized.value).toMatchObject(times);
    const row = await payment.pool.query('SELECT authorization_expires_at, authorized_at FROM payments WHERE payment_id = $1', [paymentIdOf(booking.bookingId)]);
    expect(row.rows).toEqual([{ authorization_expires_at: times.authorizationExpiresAt, authorized_at: times.authorizedAt }]);
  });

  it('finds an authorization whose answer was lost after the PSP forgot its key, by our metadata, without creating a second PaymentIntent', async () => {
    // The create is done and its answer stored, then lost (504). The next request to the intents
    // endpoint, whatever it is, finds the proxy 25 h later: every idempotency key forgotten.
    proxy.faults.inject({ kind: 'timeout_after_work', path: '/v1/payment_intents', method: 'POST', api_key: apiKey, times: 1, status: 504 });
    const clockHook = proxy.faults.inject({ kind: 'delay', path: '/v1/payment_intents', api_key: apiKey, times: 1, delay_ms: 1 });
    onProxyEvent = (event) => {
      if (event.event === 'fault_injected' && event.detail === clockHook) proxyClockAhead_ms = KEYS_FORGOTTEN_MS;
    };
    const booking = facts.held();
    const paymentId = paymentIdOf(booking.bookingId);
    try {
      await payment.send(BookingHeld, booking);
      await payment.waitForEvent(booking.bookingId, 'PaymentOutcomeUnknown');
      const authorized = await payment.waitForEvent(booking.bookingId, 'PaymentAuthorized');

      expect(proxyClockAhead_ms).toBe(KEYS_FORGOTTEN_MS);
      const intents = await intentsAtSandbox(paymentId);
      expect(intents.map((intent) => intent.id)).toEqual([authorized.value.pspPaymentIntentId]);
      expect(authorized.value).toMatchObject({ statusBefore: 'OUTCOME_UNKNOWN', statusAfter: 'AUTHORIZED', reason: 'PSP_QUERY', ...(await authorizationTimesAtSandbox(intents[0]?.id ?? 'missing')) });
    } finally {
      proxyClockAhead_ms = 0;
    }
  });

  it('re-sends an authorization the query proved never reached the PSP, with the same key, and it makes exactly one PaymentIntent', async () => {
    proxy.faults.inject({ kind: 'error_before_work', path: '/v1/payment_intents', method: 'POST', api_key: apiKey, times: 1, status: 503 });
    const booking = facts.held();
    const paymentId = paymentIdOf(booking.bookingId);
    await payment.send(BookingHeld, booking);

    const unknown = await payment.waitForEvent(booking.bookingId, 'PaymentOutcomeUnknown');
    expect(String(unknown.value.reason)).toContain('503');
    const authorized = await payment.waitForEvent(booking.bookingId, 'PaymentAuthorized');
    expect(authorized.value).toMatchObject({ statusBefore: 'OUTCOME_UNKNOWN', statusAfter: 'AUTHORIZED', reason: 'PSP_RESPONSE', pspIdempotencyKey: `pay_${paymentId}_authorize` });
    const intents = await intentsAtSandbox(paymentId);
    expect(intents.map((intent) => [intent.id, intent.status])).toEqual([[authorized.value.pspPaymentIntentId, 'requires_capture']]);
  });
});
