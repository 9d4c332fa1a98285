import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import Stripe from 'stripe';
import { CancelBooking, CompleteBooking, type Actor, type Envelope, type RequestBooking } from '@txn/contracts';
import type { ServiceConfig } from '@txn/service-kit';
import { testEnvironment, waitFor } from '@txn/testing';
import { verifyLedger } from '@txn/ledger';
import { STRIPE_API_VERSION, type PaymentSettings } from '@txn/payment';
import { requestBookingOn } from './support/booking-requests';
import { startPlatformInProcess, type LogLine, type PlatformInProcess, type PlatformOptions, type SeenEvent } from './support/platform-in-process';
import { restartPaymentWith, type RestartedService } from './support/platform-restart';
import { readRawRecord, republish } from './support/raw-records';
import { FEE_MINOR, MERCHANT_SHARE_MINOR, OUTCOME_QUERY_TIME_DIVISOR, PRICE_MINOR, SAGA_TEST_TIMEOUT_MS, STEP_TIMEOUT_MS } from './support/saga-figures';

// The saga's compensation and failure paths end to end: booking, payment and ledger in one
// process on the real Kafka, PostgreSQL, registry and localstripe, the PSP behind the in-process
// fault proxy. Every test ends the same way: one PaymentIntent at the PSP for the booking, the
// ledger verifies clean, every aggregate (booking, payment, ledger hold and escrow) is terminal.

/** Three services' migrations, group joins, schema registration, then payment restarted once. */
const START_TIMEOUT_MS = 180_000;
/** Above the authorize delay injected below: a slow PSP, not a timeout, is what that test is about. */
const PSP_TIMEOUT_MS = 30_000;
/**
 * The hold the late-authorization test asks for (RequestBooking.holdExpiresAt; booking takes the
 * shorter of it and BOOKING_HOLD_MS). Long enough that the request is held even on a loaded
 * machine (a later hold is rejected HOLD_ALREADY_EXPIRED), short enough to keep the test short.
 */
const SHORT_HOLD_MS = 8_000;
/** The authorize answer arrives this long after the PSP was asked: always after SHORT_HOLD_MS. */
const AUTHORIZE_DELAY_MS = 12_000;
const GOOD_PAYMENT_METHOD = 'pm_card_visa';
const MERCHANT_KEY: Actor = { type: 'API_KEY', id: 'merchant-e2e-key' };
const SANDBOX_TIMEOUT_MS = 10_000;
const REFUND_PAGE_SIZE = 100;
const PLATFORM_OPTIONS: PlatformOptions = { paymentMethodOf: () => GOOD_PAYMENT_METHOD };

type Routes = Readonly<Record<string, number>>;

describe('booking saga compensation end to end (booking, payment, ledger in-process; real Kafka, PostgreSQL, registry, localstripe behind the fault proxy)', () => {
  let platform: PlatformInProcess;
  let payment: RestartedService | undefined;
  /** localstripe itself, with payment's API key: what the PSP holds, not what we recorded. */
  let sandbox: Stripe;

  function envelope(eventType: string, bookingId: string, actor: Actor): Envelope {
    return { eventId: randomUUID(), eventType, occurredAt: new Date(), producer: 'e2e-test', aggregateId: bookingId, aggregateVersion: 0n, correlationId: bookingId, causationId: null, actor, tenantId: platform.tenantId };
  }


  const requestBooking = (customerId: string, holdFor_ms?: number): Promise<RequestBooking> => requestBookingOn(platform, customerId, holdFor_ms);

  const step = (bookingId: string, eventType: string, matches?: (event: SeenEvent) => boolean): Promise<SeenEvent> =>
    platform.waitForEvent(bookingId, eventType, STEP_TIMEOUT_MS, matches);

  function handled(logs: readonly LogLine[], eventId: string): unknown[] {
    return logs.filter((line) => line.msg === 'message handled' && line.eventId === eventId).map((line) => line.outcome);
  }

  /** The consumer's log line follows its commit: wait for `count` of them rather than assume them. */
  function waitForHandled(logs: readonly LogLine[], eventId: string, count = 1): Promise<unknown[]> {
    return waitFor(`${count} handled outcome(s) for ${eventId}`, () => (handled(logs, eventId).length >= count ? handled(logs, eventId) : undefined), STEP_TIMEOUT_MS);
  }

  function countOf(bookingId: string, eventType: string): number {
    return platform.sagaOf(bookingId).filter((event) => event.eventType === eventType).length;
  }

  /** Happy path up to the capture: booking confirmed and has seen the capture, ledger holds the escrow. */
  async function bookAndCapture(customerId: string): Promise<{ bookingId: string; paymentId: string; held: SeenEvent; captured: SeenEvent; intentId: string }> {
    const { bookingId } = await requestBooking(customerId);
    const held = await step(bookingId, 'BookingHeld');
    const authorized = await step(bookingId, 'PaymentAuthorized');
    const paymentId = String(authorized.value.paymentId);
    await step(bookingId, 'BookingConfirmed');
    const captured = await step(bookingId, 'PaymentCaptured');
    expect(captured.value).toMatchObject({ paymentId, statusAfter: 'CAPTURED', capturedAmount: { amountMinor: PRICE_MINOR }, platformFee: { amountMinor: FEE_MINOR } });
    await step(bookingId, 'HoldPlaced');
    await step(bookingId, 'HoldPosted');
    await step(bookingId, 'EntryPosted', (event) => event.value.entryType === 'CAPTURE_TO_ESCROW');
    expect(await waitForHandled(platform.booking.logs, captured.value.envelope.eventId)).toEqual(['applied']);
    return { bookingId, paymentId, held, captured, intentId: String(authorized.value.pspPaymentIntentId) };
  }

  async function completeBooking(bookingId: string, paymentId: string): Promise<void> {
    await platform.send(CompleteBooking, { envelope: envelope('CompleteBooking', bookingId, MERCHANT_KEY), bookingId, deliveredAt: new Date(), reason: null }, bookingId);
    expect((await step(bookingId, 'BookingCompleted')).value).toMatchObject({ statusAfter: 'COMPLETED', paymentId });
    expect((await step(bookingId, 'EscrowReleased')).value).toMatchObject({ escrowId: paymentId, statusAfter: 'RELEASED', merchantAmount: { amountMinor: MERCHANT_SHARE_MINOR } });
    await step(bookingId, 'EntryPosted', (event) => event.value.entryType === 'ESCROW_RELEASE');
  }

  async function expectLedgerVerifiesClean(): Promise<void> {
    const report = await verifyLedger(platform.ledger.pool);
    expect(report.findings).toEqual([]);
    for (const currency of report.currencies) expect(currency).toMatchObject({ postedNetMinor: 0n, pendingNetMinor: 0n });
  }

  /** The rows a person would look at, per aggregate: what must not change and what must end terminal. */
  async function aggregates(bookingId: string, paymentId: string): Promise<Record<string, unknown>> {
    const booking = await platform.booking.pool.query('SELECT status, captured_minor FROM bookings WHERE booking_id = $1', [bookingId]);
    const payments = await platform.payment.pool.query('SELECT status, version::text, captured_minor, in_flight, unknown_outcome, booking_release, needs_attention FROM payments WHERE booking_id = $1', [bookingId]);
    const calls = await platform.payment.pool.query('SELECT count(*)::int AS n FROM psp_calls WHERE payment_id = $1', [paymentId]);
    const hold = await platform.ledger.pool.query('SELECT status FROM holds WHERE hold_id = $1', [paymentId]);
    const escrow = await platform.ledger.pool.query('SELECT status, captured_minor, refunded_minor FROM escrows WHERE payment_id = $1', [paymentId]);
    const entries = await platform.ledger.pool.query('SELECT entry_type FROM journal_entries WHERE booking_id = $1 ORDER BY entry_type', [bookingId]);
    return { booking: booking.rows, payment: payments.rows, pspCalls: calls.rows[0], hold: hold.rows, escrow: escrow.rows, entries: entries.rows.map((row: { entry_type: string }) => row.entry_type) };
  }

  function routeDelta(before: Routes, after: Routes): Record<string, number> {
    const delta: Record<string, number> = {};
    for (const [route, count] of Object.entries(after)) if (count !== (before[route] ?? 0)) delta[route] = count - (before[route] ?? 0);
    return delta;
  }

  async function refundsAtSandbox(intentId: string): Promise<Stripe.Refund[]> {
    return (await sandbox.refunds.list({ payment_intent: intentId, limit: REFUND_PAGE_SIZE })).data;
  }

  beforeAll(async () => {
    platform = await startPlatformInProcess(PLATFORM_OPTIONS);
    payment = await restartPaymentWith(platform, PLATFORM_OPTIONS, { outcomeQueryTimeDivisor: OUTCOME_QUERY_TIME_DIVISOR, pspTimeout_ms: PSP_TIMEOUT_MS });
    const { psp } = payment.service.dependencies.config as ServiceConfig & PaymentSettings;
    const { host, port } = testEnvironment().pspSandbox;
    sandbox = new Stripe(psp.apiKey, { host, port, protocol: 'http', apiVersion: STRIPE_API_VERSION, maxNetworkRetries: 0, timeout: SANDBOX_TIMEOUT_MS, telemetry: false });
  }, START_TIMEOUT_MS);

  afterEach(() => {
    // A fault a failed test did not consume must not hit the next test's booking.
    platform?.proxy.faults.clear();
  });

  afterAll(async () => {
    // E2E_TIMELINE_FILE=<path> keeps every saga event seen, in arrival order, for a person to read.
    if (process.env.E2E_TIMELINE_FILE !== undefined && platform !== undefined) {
      const lines = platform.seen.map((event) => `${String(event.seenAt_ms).padStart(7)} ms  ${event.value.envelope.correlationId}  ${event.topic.padEnd(19)} ${event.eventType}`);
      writeFileSync(process.env.E2E_TIMELINE_FILE, `${lines.join('\n')}\n`);
    }
    await payment?.close();
    await platform?.close();
  }, START_TIMEOUT_MS);

  it('refunds in full when the customer cancels a captured booking far from the slot: booking CANCELLED, payment REFUNDED, escrow refunded by reversing entries, one intent and one refund at the PSP', async () => {
    const routesBefore = platform.proxyStats().forwarded_by_route;
    const customerId = 'customer-cancels';
    const { bookingId, paymentId, intentId } = await bookAndCapture(customerId);
    const captureEntry = await step(bookingId, 'EntryPosted', (event) => event.value.entryType === 'CAPTURE_TO_ESCROW');

    const cancellation: CancelBooking = { envelope: envelope('CancelBooking', bookingId, { type: 'USER', id: customerId }), bookingId, reason: 'CUSTOMER_REQUEST' };
    await platform.send(CancelBooking, cancellation, bookingId);

    const cancelled = await step(bookingId, 'BookingCancelled');
    // 48 h before the slot the default policy refunds 100 %.
    expect(cancelled.value).toMatchObject({ statusBefore: 'CONFIRMED', statusAfter: 'CANCELLED', paymentId, refundAmount: { amountMinor: PRICE_MINOR, currency: 'EUR' } });
    expect(cancelled.value.envelope.causationId).toBe(cancellation.envelope.eventId);

    const refunded = await step(bookingId, 'PaymentRefunded');
    expect(refunded.value).toMatchObject({ paymentId, statusBefore: 'CAPTURED', statusAfter: 'REFUNDED', refundedAmount: { amountMinor: PRICE_MINOR, currency: 'EUR' }, pspPaymentIntentId: intentId });
    // Payment heard the cancellation first: its decision to refund is the one that consumed it.
    expect(await waitForHandled(platform.payment.logs, cancelled.value.envelope.eventId)).toEqual(['applied']);

    // The reversal: out of escrow (not yet delivered) back to the PSP clearing account, fee and share in proportion.
    const refundEntry = await step(bookingId, 'EntryPosted', (event) => event.value.entryType === 'REFUND');
    expect(refundEntry.value.reversesEntryId).toBe(captureEntry.value.entryId);
    expect(refundEntry.value.envelope.causationId).toBe(refunded.value.envelope.eventId);
    expect(refundEntry.value.postings).toEqual(
      expect.arrayContaining([
        { accountId: `PSP_CLEARING:${platform.tenantId}:EUR`, side: 'CREDIT', amount: { amountMinor: PRICE_MINOR, currency: 'EUR' } },
        { accountId: `ESCROW:${platform.tenantId}:EUR`, side: 'DEBIT', amount: { amountMinor: MERCHANT_SHARE_MINOR, currency: 'EUR' } },
        { accountId: `PLATFORM_FEE_ESCROW:${platform.tenantId}:EUR`, side: 'DEBIT', amount: { amountMinor: FEE_MINOR, currency: 'EUR' } },
      ]),
    );
    await waitForHandled(platform.ledger.logs, refunded.value.envelope.eventId);

    // Terminal everywhere; the capture entry stays (append-only), reversed by the refund entry.
    expect(await aggregates(bookingId, paymentId)).toEqual({
      booking: [{ status: 'CANCELLED', captured_minor: String(PRICE_MINOR) }],
      payment: [expect.objectContaining({ status: 'REFUNDED', captured_minor: String(PRICE_MINOR), in_flight: null, unknown_outcome: null, needs_attention: false })],
      pspCalls: { n: 0 },
      hold: [{ status: 'POSTED' }],
      escrow: [{ status: 'REFUNDED', captured_minor: String(PRICE_MINOR), refunded_minor: String(PRICE_MINOR) }],
      entries: ['CAPTURE_TO_ESCROW', 'REFUND'],
    });
    await expectLedgerVerifiesClean();

    // At the PSP: one intent, captured, refunded once in full.
    const intents = await platform.intentsAtSandbox(paymentId);
    expect(intents.map((intent) => [intent.id, intent.status, intent.amount])).toEqual([[intentId, 'succeeded', Number(PRICE_MINOR)]]);
    expect((await refundsAtSandbox(intentId)).map((refund) => [refund.id, refund.amount, refund.status])).toEqual([[refunded.value.pspRefundId, Number(PRICE_MINOR), 'succeeded']]);
    expect(routeDelta(routesBefore, platform.proxyStats().forwarded_by_route)).toEqual({ 'POST /v1/payment_intents': 1, 'POST /v1/payment_intents/{id}/capture': 1, 'POST /v1/refunds': 1 });
  }, SAGA_TEST_TIMEOUT_MS);

  it('resolves an authorization whose answer was lost after the PSP did the work (504): PaymentOutcomeUnknown, the poller finds the intent by our metadata (creating nothing), the saga goes on to capture and payout; exactly one PaymentIntent', async () => {
    const routesBefore = platform.proxyStats().forwarded_by_route;
    const replayedBefore = platform.proxyStats().replayed;
    // The PSP creates and confirms the intent; the answer is lost on the way back (504 without the body).
    platform.proxy.faults.inject({ kind: 'timeout_after_work', method: 'POST', path: '/v1/payment_intents', times: 1 });

    const { bookingId } = await requestBooking('customer-lost-answer');
    await step(bookingId, 'BookingHeld');
    const unknown = await step(bookingId, 'PaymentOutcomeUnknown');
    const paymentId = String(unknown.value.paymentId);
    expect(unknown.value).toMatchObject({ statusBefore: 'PENDING', statusAfter: 'OUTCOME_UNKNOWN', operation: 'AUTHORIZE', pspPaymentIntentId: null, pspIdempotencyKey: `pay_${paymentId}_authorize` });

    // The poller's query lists the intents created in the authorization's window and finds ours by
    // metadata.payment_id: a query never creates (decision 0022).
    const authorized = await step(bookingId, 'PaymentAuthorized');
    expect(authorized.value).toMatchObject({ paymentId, statusBefore: 'OUTCOME_UNKNOWN', statusAfter: 'AUTHORIZED', authorizedAmount: { amountMinor: PRICE_MINOR }, pspIdempotencyKey: `pay_${paymentId}_authorize` });
    expect(platform.payment.logs.some((line) => line.msg === 'asked the PSP about an unknown outcome' && line.paymentId === paymentId)).toBe(true);
    await step(bookingId, 'BookingConfirmed', (event) => event.value.envelope.causationId === authorized.value.envelope.eventId);
    const captured = await step(bookingId, 'PaymentCaptured');
    expect(captured.value).toMatchObject({ paymentId, statusBefore: 'AUTHORIZED', statusAfter: 'CAPTURED', capturedAmount: { amountMinor: PRICE_MINOR } });
    await step(bookingId, 'HoldPosted');
    await step(bookingId, 'EntryPosted', (event) => event.value.entryType === 'CAPTURE_TO_ESCROW');
    expect(await waitForHandled(platform.booking.logs, captured.value.envelope.eventId)).toEqual(['applied']);
    await completeBooking(bookingId, paymentId);

    expect(await aggregates(bookingId, paymentId)).toEqual({
      booking: [{ status: 'COMPLETED', captured_minor: String(PRICE_MINOR) }],
      payment: [expect.objectContaining({ status: 'CAPTURED', captured_minor: String(PRICE_MINOR), in_flight: null, unknown_outcome: null, needs_attention: false })],
      pspCalls: { n: 0 },
      hold: [{ status: 'POSTED' }],
      escrow: [{ status: 'RELEASED', captured_minor: String(PRICE_MINOR), refunded_minor: '0' }],
      entries: ['CAPTURE_TO_ESCROW', 'ESCROW_RELEASE'],
    });
    expect(countOf(bookingId, 'PaymentAuthorized')).toBe(1);
    await expectLedgerVerifiesClean();

    // One intent: the create reached the PSP once; the poller asked with one list, sent nothing again.
    const intents = await platform.intentsAtSandbox(paymentId);
    expect(intents.map((intent) => [intent.id, intent.status, intent.amount])).toEqual([[authorized.value.pspPaymentIntentId, 'succeeded', Number(PRICE_MINOR)]]);
    // The list is read page by page over every intent of the shared sandbox in the window: one page or more.
    const { 'GET /v1/payment_intents': listPages, ...sent } = routeDelta(routesBefore, platform.proxyStats().forwarded_by_route);
    expect(sent).toEqual({ 'POST /v1/payment_intents': 1, 'POST /v1/payment_intents/{id}/capture': 1 });
    expect(listPages).toBeGreaterThanOrEqual(1);
    expect(platform.proxyStats().replayed - replayedBefore).toBe(0);
  }, SAGA_TEST_TIMEOUT_MS);

  it('absorbs byte-for-byte duplicates of BookingHeld and PaymentCaptured: inboxes answer duplicate, no second intent, no second ledger entry, states unchanged', async () => {
    const { bookingId, paymentId, held, captured, intentId } = await bookAndCapture('customer-duplicates');
    const routesBefore = platform.proxyStats().forwarded_by_route;
    const before = await aggregates(bookingId, paymentId);
    const groupPrefix = /^(test\.[^.]+)\./.exec(platform.booking.service.dependencies.topicOf('booking.events.v1'))?.[1] ?? 'test.e2e';

    for (const original of [held, captured]) {
      const topic = platform.booking.service.dependencies.topicOf(original.topic);
      const raw = await readRawRecord({ topic, partition: original.partition, offset: original.offset }, groupPrefix, STEP_TIMEOUT_MS);
      await republish(raw);
    }
    // The copies are on the topics (same event ids, later offsets), and every consumer has answered them.
    for (const original of [held, captured]) {
      await waitFor(`the copy of ${original.eventType}`, () => platform.seen.find((event) => event.value.envelope.eventId === original.value.envelope.eventId && event.offset !== original.offset), STEP_TIMEOUT_MS);
    }
    expect(await waitForHandled(platform.payment.logs, held.value.envelope.eventId, 2)).toEqual(['applied', 'duplicate']);
    expect(await waitForHandled(platform.booking.logs, captured.value.envelope.eventId, 2)).toEqual(['applied', 'duplicate']);
    expect(await waitForHandled(platform.ledger.logs, captured.value.envelope.eventId, 2)).toEqual(['applied', 'duplicate']);

    expect(await aggregates(bookingId, paymentId)).toEqual(before);
    expect(routeDelta(routesBefore, platform.proxyStats().forwarded_by_route)).toEqual({});
    for (const type of ['PaymentAuthorized', 'BookingConfirmed', 'HoldPlaced', 'HoldPosted']) expect(countOf(bookingId, type)).toBe(1);
    expect(platform.sagaOf(bookingId).filter((event) => event.eventType === 'EntryPosted').map((event) => event.value.entryType)).toEqual(['CAPTURE_TO_ESCROW']);

    // The saga still finishes as usual afterwards.
    await completeBooking(bookingId, paymentId);
    expect(await aggregates(bookingId, paymentId)).toEqual({
      booking: [{ status: 'COMPLETED', captured_minor: String(PRICE_MINOR) }],
      payment: before.payment,
      pspCalls: { n: 0 },
      hold: [{ status: 'POSTED' }],
      escrow: [{ status: 'RELEASED', captured_minor: String(PRICE_MINOR), refunded_minor: '0' }],
      entries: ['CAPTURE_TO_ESCROW', 'ESCROW_RELEASE'],
    });
    await expectLedgerVerifiesClean();
    const intents = await platform.intentsAtSandbox(paymentId);
    expect(intents.map((intent) => [intent.id, intent.status])).toEqual([[intentId, 'succeeded']]);
  }, SAGA_TEST_TIMEOUT_MS);

  it('voids an authorization that arrives after the hold expired: BookingExpired (by the sweeper, or by the late PaymentAuthorized itself), PaymentVoided, ledger hold voided or never placed; one canceled intent', async () => {
    const routesBefore = platform.proxyStats().forwarded_by_route;
    // A slow PSP: the authorization is made, but answers only after the booking's hold has run out.
    platform.proxy.faults.inject({ kind: 'delay', delay_ms: AUTHORIZE_DELAY_MS, method: 'POST', path: '/v1/payment_intents', times: 1 });

    const request = await requestBooking('customer-slow-psp', SHORT_HOLD_MS);
    const bookingId = request.bookingId;
    const held = await step(bookingId, 'BookingHeld');
    expect(held.value).toMatchObject({ statusAfter: 'HELD', holdExpiresAt: request.holdExpiresAt });

    // Either the sweeper expires the hold first (HOLD_EXPIRED) or the late authorization does (AUTHORIZED_AFTER_HOLD_EXPIRED).
    const expired = await step(bookingId, 'BookingExpired');
    expect(expired.value).toMatchObject({ statusBefore: 'HELD', statusAfter: 'EXPIRED' });
    expect(['HOLD_EXPIRED', 'AUTHORIZED_AFTER_HOLD_EXPIRED']).toContain(expired.value.reason);
    const authorized = await step(bookingId, 'PaymentAuthorized');
    const paymentId = String(authorized.value.paymentId);
    expect(authorized.value.envelope.occurredAt.getTime()).toBeGreaterThanOrEqual(request.holdExpiresAt.getTime());

    const voided = await step(bookingId, 'PaymentVoided');
    expect(voided.value).toMatchObject({ paymentId, statusAfter: 'VOIDED', pspPaymentIntentId: authorized.value.pspPaymentIntentId, pspIdempotencyKey: `pay_${paymentId}_void` });
    await waitForHandled(platform.ledger.logs, voided.value.envelope.eventId);
    const bookingOutcome = await waitForHandled(platform.booking.logs, authorized.value.envelope.eventId);
    // Booking: the late authorization either expired it (applied) or found it expired already (stale).
    expect(bookingOutcome).toEqual([expired.value.reason === 'HOLD_EXPIRED' ? 'stale' : 'applied']);

    // The hold row and its HoldPlaced commit together, but the reader sees HoldPlaced only once the
    // relay has published it: ask the database whether a hold was placed, then wait for the event.
    const holdPlaced = (await platform.ledger.pool.query('SELECT 1 FROM holds WHERE hold_id = $1', [paymentId])).rowCount === 1;
    if (holdPlaced) await step(bookingId, 'HoldPlaced');
    const after = await aggregates(bookingId, paymentId);
    expect(after).toEqual({
      booking: [{ status: 'EXPIRED', captured_minor: null }],
      payment: [expect.objectContaining({ status: 'VOIDED', captured_minor: null, in_flight: null, unknown_outcome: null, needs_attention: false })],
      pspCalls: { n: 0 },
      hold: holdPlaced ? [{ status: 'VOIDED' }] : [],
      escrow: [],
      entries: [],
    });
    expect(countOf(bookingId, 'HoldPosted')).toBe(0);
    expect(countOf(bookingId, 'BookingConfirmed')).toBe(0);
    await expectLedgerVerifiesClean();

    // One intent, its reservation released at the PSP.
    const intents = await platform.intentsAtSandbox(paymentId);
    expect(intents.map((intent) => [intent.id, intent.status])).toEqual([[authorized.value.pspPaymentIntentId, 'canceled']]);
    expect(routeDelta(routesBefore, platform.proxyStats().forwarded_by_route)).toEqual({ 'POST /v1/payment_intents': 1, 'POST /v1/payment_intents/{id}/cancel': 1 });
  }, SAGA_TEST_TIMEOUT_MS);
});
