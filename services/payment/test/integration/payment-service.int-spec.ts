import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import Stripe from 'stripe';
import { BookingCancelled, BookingConfirmed, BookingHeld, type Money } from '@txn/contracts';
import { startPspProxy, type RunningPspProxy } from '@txn/psp-proxy';
import { testEnvironment } from '@txn/testing';
import { paymentIdOf } from '../../src/application/payment-id';
import { STRIPE_API_VERSION } from '../../src/psp/stripe-psp';
import { BookingFacts, eur, PRICE_MINOR, startPaymentInProcess, type PaymentInProcess, type SeenEvent } from './support';

// The payment service in-process (bootstrapService, as main.ts does) on the real PostgreSQL,
// Kafka and registry (suite database, suite topics via topicOverrides, suite consumer group), and
// an in-process PSP fault proxy on a free port in front of the real localstripe. Every payment is
// counted at localstripe itself, by our metadata.payment_id, after a marker intent made at start.

/** Divides the 1 min / 5 min / 30 min … query schedule: first query after 300 ms, then 1.5 s, 9 s. */
const QUERY_TIME_DIVISOR = 200;
const TENANT = 'merchant-pay-1';
/** 10 % of 12 345, rounded half up (the ledger's rule): 1 234.5 → 1 235. */
const FEE_MINOR = 1_235n;
const DECLINING_CUSTOMER = 'customer-declines';
const MAX_LIST_PAGES = 100;
const facts = new BookingFacts(TENANT);

describe('payment service (in-process, real PostgreSQL, Kafka, registry, localstripe behind the fault proxy)', () => {
  const environment = testEnvironment();
  const apiKey = `sk_test_payment_${randomBytes(8).toString('hex')}`;
  const sandbox = new Stripe(apiKey, { host: environment.pspSandbox.host, port: environment.pspSandbox.port, protocol: 'http', apiVersion: STRIPE_API_VERSION, maxNetworkRetries: 0, timeout: 10_000, telemetry: false });
  let payment: PaymentInProcess;
  let proxy: RunningPspProxy;
  let marker: string;

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

  beforeAll(async () => {
    proxy = await startPspProxy({ upstreamUrl: environment.pspSandbox.url });
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
  });

  afterEach(() => proxy.faults.clear());

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
});
