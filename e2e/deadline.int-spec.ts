import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { RequestBooking, type Actor, type Envelope } from '@txn/contracts';
import { verifyLedger } from '@txn/ledger';
import { startPlatformInProcess, type PlatformInProcess, type PlatformOptions, type SeenEvent } from './support/platform-in-process';
import { restartPaymentWith, type RestartedService } from './support/platform-restart';
import { routeDelta, waitForHandled } from './support/saga-views';
import { FEE_MINOR, HOUR_MS, MERCHANT_SHARE_MINOR, PRICE_MINOR, SAGA_TEST_TIMEOUT_MS, STEP_TIMEOUT_MS } from './support/saga-figures';

// Saga deadlines end to end: booking, payment and ledger in one process on the real Kafka,
// PostgreSQL, registry and localstripe behind the in-process fault proxy. A saga that overruns a
// deadline is pushed to a terminal state by booking's timeout event (BookingDeadlineReached on
// booking.commands), and the rest of the saga follows it as it follows any booking event: money
// goes back to the customer, or escrow to the merchant. Each scenario needs other booking
// settings, so each gets its own platform (about five seconds to start here).

/** Three services' migrations, group joins, schema registration (and payment restarted once). */
const START_TIMEOUT_MS = 180_000;
const GOOD_PAYMENT_METHOD = 'pm_card_visa';
const WATCHER: Actor = { type: 'SYSTEM', id: 'booking-deadline-watcher' };
/** Watch often: the deadlines below are seconds, not hours. */
const DEADLINE_WATCH_INTERVAL_MS = 100;

/** A short capture deadline, and a PSP that answers the capture long after it. */
const CAPTURE_DEADLINE_MS = 1_500;
/**
 * The capture's answer arrives this long after payment asked: far beyond the deadline plus the
 * watcher's interval and two trips through Kafka, so booking hears the timeout before the capture.
 */
const CAPTURE_DELAY_MS = 12_000;
/** Above CAPTURE_DELAY_MS: a slow PSP, not a client timeout, is what the capture test is about. */
const PSP_TIMEOUT_MS = 30_000;

/** The completion test's slot starts this far ahead: RequestBooking must be held before the start (SLOT_IN_PAST otherwise). */
const NEAR_SLOT_LEAD_MS = 8_000;
const NEAR_SLOT_LENGTH_MS = 1_000;
const COMPLETION_GRACE_MS = 1_000;

/** What every deadline test needs from its platform, whatever the settings. */
function sagaProbe(platform: () => PlatformInProcess) {
  const envelope = (eventType: string, bookingId: string, actor: Actor): Envelope => ({
    eventId: randomUUID(),
    eventType,
    occurredAt: new Date(),
    producer: 'e2e-test',
    aggregateId: bookingId,
    aggregateVersion: 0n,
    correlationId: bookingId,
    causationId: null,
    actor,
    tenantId: platform().tenantId,
  });
  return {
    async requestBooking(customerId: string, startsAt: Date, length_ms = HOUR_MS): Promise<RequestBooking> {
      const resourceId = `room-${randomUUID().slice(0, 8)}`;
      await platform().booking.pool.query('INSERT INTO resources (tenant_id, resource_id, name) VALUES ($1, $2, $3)', [platform().tenantId, resourceId, 'E2E room']);
      const bookingId = randomUUID();
      const request: RequestBooking = {
        envelope: envelope('RequestBooking', bookingId, { type: 'USER', id: customerId }),
        bookingId,
        requestIdempotencyKey: randomUUID(),
        customerId,
        customerEmail: null,
        slot: { resourceId, startsAt, endsAt: new Date(startsAt.getTime() + length_ms) },
        price: { amountMinor: PRICE_MINOR, currency: 'EUR' },
        holdExpiresAt: new Date(Date.now() + 15 * 60_000),
      };
      await platform().send(RequestBooking, request, bookingId);
      return request;
    },
    step: (bookingId: string, eventType: string, matches?: (event: SeenEvent) => boolean): Promise<SeenEvent> => platform().waitForEvent(bookingId, eventType, STEP_TIMEOUT_MS, matches),
    /** The first outcome the service logged for the event (its log line follows its commit). */
    async handled(service: 'booking' | 'payment' | 'ledger', eventId: string): Promise<unknown> {
      return (await waitForHandled(platform()[service].logs, eventId, STEP_TIMEOUT_MS))[0];
    },
    count: (bookingId: string, eventType: string): number => platform().sagaOf(bookingId).filter((event) => event.eventType === eventType).length,
    /** The rows a person would look at, per aggregate: each must end terminal. */
    async aggregates(bookingId: string, paymentId: string): Promise<Record<string, unknown>> {
      const { booking, payment, ledger } = platform();
      const bookings = await booking.pool.query('SELECT status, captured_minor, deadline_stage, timeout_requested_at FROM bookings WHERE booking_id = $1', [bookingId]);
      const payments = await payment.pool.query('SELECT status, captured_minor, in_flight, unknown_outcome, needs_attention FROM payments WHERE booking_id = $1', [bookingId]);
      const calls = await payment.pool.query('SELECT count(*)::int AS n FROM psp_calls WHERE payment_id = $1', [paymentId]);
      const hold = await ledger.pool.query('SELECT status FROM holds WHERE hold_id = $1', [paymentId]);
      const escrow = await ledger.pool.query('SELECT status, captured_minor, refunded_minor FROM escrows WHERE payment_id = $1', [paymentId]);
      const entries = await ledger.pool.query('SELECT entry_type FROM journal_entries WHERE booking_id = $1 ORDER BY entry_type', [bookingId]);
      const overdue = await booking.pool.query('SELECT count(*)::int AS n FROM overdue_sagas WHERE booking_id = $1', [bookingId]);
      return {
        booking: bookings.rows,
        payment: payments.rows,
        pspCalls: calls.rows[0],
        hold: hold.rows,
        escrow: escrow.rows,
        entries: entries.rows.map((row: { entry_type: string }) => row.entry_type),
        overdue: overdue.rows[0],
      };
    },
    async expectLedgerVerifiesClean(): Promise<void> {
      const report = await verifyLedger(platform().ledger.pool);
      expect(report.findings).toEqual([]);
      for (const currency of report.currencies) expect(currency).toMatchObject({ postedNetMinor: 0n, pendingNetMinor: 0n });
    },
  };
}

/** E2E_TIMELINE_FILE=<path> keeps every saga event seen, in arrival order, for a person to read. */
function writeTimeline(platform: PlatformInProcess | undefined, suffix: string): void {
  const file = process.env.E2E_TIMELINE_FILE;
  if (file === undefined || platform === undefined) return;
  const lines = platform.seen.map((event) => `${String(event.seenAt_ms).padStart(7)} ms  ${event.value.envelope.occurredAt.toISOString()}  ${event.value.envelope.correlationId}  ${event.topic.padEnd(19)} ${event.eventType}`);
  writeFileSync(`${file}.${suffix}`, `${lines.join('\n')}\n`);
}

describe('saga deadline: a capture the PSP does not answer in time (booking, payment, ledger in-process; real Kafka, PostgreSQL, registry, localstripe behind the fault proxy)', () => {
  const options: PlatformOptions = { paymentMethodOf: () => GOOD_PAYMENT_METHOD, booking: { captureDeadline_ms: CAPTURE_DEADLINE_MS, deadlineWatchInterval_ms: DEADLINE_WATCH_INTERVAL_MS } };
  let platform: PlatformInProcess | undefined;
  let payment: RestartedService | undefined;
  const saga = sagaProbe(() => platform as PlatformInProcess);

  beforeAll(async () => {
    platform = await startPlatformInProcess(options);
    payment = await restartPaymentWith(platform, options, { pspTimeout_ms: PSP_TIMEOUT_MS });
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    writeTimeline(platform, 'capture');
    await payment?.close();
    await platform?.close();
  }, START_TIMEOUT_MS);

  it('cancels the booking at the capture deadline (BookingDeadlineReached → BookingCancelled SAGA_DEADLINE_EXCEEDED, full refund); when the capture lands, payment refunds all of it and the ledger reverses the escrow; one intent, books clean, all terminal', async () => {
    const running = platform as PlatformInProcess;
    const routesBefore = running.proxyStats().forwarded_by_route;
    running.proxy.faults.inject({ kind: 'delay', delay_ms: CAPTURE_DELAY_MS, method: 'POST', path: '/v1/payment_intents/*/capture', times: 1 });

    const { bookingId } = await saga.requestBooking('customer-slow-capture', new Date(Date.now() + 48 * HOUR_MS));
    await saga.step(bookingId, 'BookingHeld');
    const authorized = await saga.step(bookingId, 'PaymentAuthorized');
    const paymentId = String(authorized.value.paymentId);
    const confirmed = await saga.step(bookingId, 'BookingConfirmed');

    // The timeout, as a command booking sends itself, then its decision.
    const reached = await saga.step(bookingId, 'BookingDeadlineReached');
    const deadlineAt = new Date(confirmed.value.envelope.occurredAt.getTime() + CAPTURE_DEADLINE_MS);
    expect(reached.topic).toBe('booking.commands.v1');
    expect(reached.value).toMatchObject({ stage: 'CAPTURE', deadlineAt, statusSeen: 'CONFIRMED' });
    expect(reached.value.envelope).toMatchObject({ actor: WATCHER, causationId: null });
    const cancelled = await saga.step(bookingId, 'BookingCancelled');
    expect(cancelled.value).toMatchObject({ statusBefore: 'CONFIRMED', statusAfter: 'CANCELLED', reason: 'SAGA_DEADLINE_EXCEEDED', paymentId, refundAmount: { amountMinor: PRICE_MINOR, currency: 'EUR' } });
    expect(cancelled.value.envelope).toMatchObject({ actor: WATCHER, causationId: reached.value.envelope.eventId });
    // The capture was still at the PSP: payment remembers the cancellation instead of acting on it.
    expect(await saga.handled('payment', cancelled.value.envelope.eventId)).toBe('applied');

    // The PSP answers the capture at last: escrow funded, then refunded in full (the refund is the
    // timeout's: its id is the cancellation's event id) and reversed.
    const captured = await saga.step(bookingId, 'PaymentCaptured');
    expect(captured.value).toMatchObject({ paymentId, statusAfter: 'CAPTURED', capturedAmount: { amountMinor: PRICE_MINOR } });
    expect(captured.value.envelope.occurredAt.getTime()).toBeGreaterThan(cancelled.value.envelope.occurredAt.getTime());
    expect(await saga.handled('booking', captured.value.envelope.eventId)).toBe('stale');
    const refunded = await saga.step(bookingId, 'PaymentRefunded');
    expect(refunded.value).toMatchObject({
      paymentId,
      statusBefore: 'CAPTURED',
      statusAfter: 'REFUNDED',
      reason: 'SAGA_DEADLINE_EXCEEDED',
      refundId: cancelled.value.envelope.eventId,
      refundedAmount: { amountMinor: PRICE_MINOR, currency: 'EUR' },
      totalRefunded: { amountMinor: PRICE_MINOR },
    });
    const captureEntry = await saga.step(bookingId, 'EntryPosted', (event) => event.value.entryType === 'CAPTURE_TO_ESCROW');
    const refundEntry = await saga.step(bookingId, 'EntryPosted', (event) => event.value.entryType === 'REFUND');
    expect(refundEntry.value.reversesEntryId).toBe(captureEntry.value.entryId);
    await saga.step(bookingId, 'HoldPlaced');
    await saga.step(bookingId, 'HoldPosted');
    await saga.handled('ledger', refunded.value.envelope.eventId);

    expect(await saga.aggregates(bookingId, paymentId)).toEqual({
      booking: [{ status: 'CANCELLED', captured_minor: null, deadline_stage: null, timeout_requested_at: null }],
      payment: [{ status: 'REFUNDED', captured_minor: String(PRICE_MINOR), in_flight: null, unknown_outcome: null, needs_attention: false }],
      pspCalls: { n: 0 },
      hold: [{ status: 'POSTED' }],
      escrow: [{ status: 'REFUNDED', captured_minor: String(PRICE_MINOR), refunded_minor: String(PRICE_MINOR) }],
      entries: ['CAPTURE_TO_ESCROW', 'REFUND'],
      overdue: { n: 0 },
    });
    expect(saga.count(bookingId, 'BookingDeadlineReached')).toBe(1);
    await saga.expectLedgerVerifiesClean();

    // At the PSP: one intent, captured once, refunded once in full.
    const intents = await running.intentsAtSandbox(paymentId);
    expect(intents.map((intent) => [intent.id, intent.status, intent.amount])).toEqual([[authorized.value.pspPaymentIntentId, 'succeeded', Number(PRICE_MINOR)]]);
    expect(routeDelta(routesBefore, running.proxyStats().forwarded_by_route)).toEqual({ 'POST /v1/payment_intents': 1, 'POST /v1/payment_intents/{id}/capture': 1, 'POST /v1/refunds': 1 });
  }, SAGA_TEST_TIMEOUT_MS);
});

describe('saga deadline: a merchant who never reports delivery (booking, payment, ledger in-process; real Kafka, PostgreSQL, registry, localstripe)', () => {
  const options: PlatformOptions = { paymentMethodOf: () => GOOD_PAYMENT_METHOD, booking: { completionGrace_ms: COMPLETION_GRACE_MS, deadlineWatchInterval_ms: DEADLINE_WATCH_INTERVAL_MS } };
  let platform: PlatformInProcess | undefined;
  const saga = sagaProbe(() => platform as PlatformInProcess);

  beforeAll(async () => {
    platform = await startPlatformInProcess(options);
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    writeTimeline(platform, 'completion');
    await platform?.close();
  }, START_TIMEOUT_MS);

  it('completes the booking the grace after its slot ended (BookingDeadlineReached → BookingCompleted DELIVERY_PRESUMED, delivered at the slot end) and the ledger releases escrow to the merchant; one intent, books clean, all terminal', async () => {
    const running = platform as PlatformInProcess;
    const routesBefore = running.proxyStats().forwarded_by_route;
    const { bookingId, slot } = await saga.requestBooking('customer-no-show-report', new Date(Date.now() + NEAR_SLOT_LEAD_MS), NEAR_SLOT_LENGTH_MS);
    await saga.step(bookingId, 'BookingHeld');
    const authorized = await saga.step(bookingId, 'PaymentAuthorized');
    const paymentId = String(authorized.value.paymentId);
    await saga.step(bookingId, 'BookingConfirmed');
    const captured = await saga.step(bookingId, 'PaymentCaptured');
    await saga.step(bookingId, 'EntryPosted', (event) => event.value.entryType === 'CAPTURE_TO_ESCROW');

    const reached = await saga.step(bookingId, 'BookingDeadlineReached');
    expect(reached.value).toMatchObject({ stage: 'COMPLETION', deadlineAt: new Date(slot.endsAt.getTime() + COMPLETION_GRACE_MS), statusSeen: 'CONFIRMED' });
    // Booking had recorded the capture before the deadline came (that is what put it in COMPLETION).
    expect(await saga.handled('booking', captured.value.envelope.eventId)).toBe('applied');
    const completed = await saga.step(bookingId, 'BookingCompleted');
    expect(completed.value).toMatchObject({ statusBefore: 'CONFIRMED', statusAfter: 'COMPLETED', reason: 'DELIVERY_PRESUMED', paymentId, deliveredAt: slot.endsAt });
    expect(completed.value.envelope).toMatchObject({ actor: WATCHER, causationId: reached.value.envelope.eventId });

    const released = await saga.step(bookingId, 'EscrowReleased');
    expect(released.value).toMatchObject({ escrowId: paymentId, statusAfter: 'RELEASED', merchantAmount: { amountMinor: MERCHANT_SHARE_MINOR }, platformFee: { amountMinor: FEE_MINOR } });
    expect(released.value.envelope.causationId).toBe(completed.value.envelope.eventId);
    await saga.step(bookingId, 'EntryPosted', (event) => event.value.entryType === 'ESCROW_RELEASE');
    await saga.step(bookingId, 'HoldPlaced');
    await saga.step(bookingId, 'HoldPosted');

    expect(await saga.aggregates(bookingId, paymentId)).toEqual({
      booking: [{ status: 'COMPLETED', captured_minor: String(PRICE_MINOR), deadline_stage: null, timeout_requested_at: null }],
      payment: [{ status: 'CAPTURED', captured_minor: String(PRICE_MINOR), in_flight: null, unknown_outcome: null, needs_attention: false }],
      pspCalls: { n: 0 },
      hold: [{ status: 'POSTED' }],
      escrow: [{ status: 'RELEASED', captured_minor: String(PRICE_MINOR), refunded_minor: '0' }],
      entries: ['CAPTURE_TO_ESCROW', 'ESCROW_RELEASE'],
      overdue: { n: 0 },
    });
    await saga.expectLedgerVerifiesClean();
    const intents = await running.intentsAtSandbox(paymentId);
    expect(intents.map((intent) => [intent.id, intent.status])).toEqual([[authorized.value.pspPaymentIntentId, 'succeeded']]);
    expect(routeDelta(routesBefore, running.proxyStats().forwarded_by_route)).toEqual({ 'POST /v1/payment_intents': 1, 'POST /v1/payment_intents/{id}/capture': 1 });
  }, SAGA_TEST_TIMEOUT_MS);
});
