import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BookingDeadlineReached, BookingHeld, PaymentAuthorized, PaymentCaptured, RequestBooking, type Actor } from '@txn/contracts';
import { fromPgClient } from '@txn/sql';
import { waitFor } from '@txn/testing';
import { bookingStore } from '../../src/persistence/booking-store';
import { DEFAULT_BOOKING_SETTINGS, type BookingSettings } from '../../src/settings';
import { BookingMessages, FLOW_TIMEOUT_MS, HOUR_MS, PAYMENT_SERVICE, PRICE_MINOR, startBookingInProcess, type BookingInProcess } from './support';

// Saga deadlines in the booking service, in-process (bootstrapService, as main.ts does) on the real
// PostgreSQL, Kafka and registry: the watcher writes BookingDeadlineReached to booking.commands,
// booking consumes it like any command and ends the saga, or records it stale; overdue sagas show
// in the overdue_sagas view and the booking_sagas_overdue gauge.

const TENANT = 'merchant-deadlines';
const WATCHER: Actor = { type: 'SYSTEM', id: 'booking-deadline-watcher' };
/**
 * Long enough that a capture sent right behind the authorization (same key, same partition, so
 * consumed after it) is recorded well before it; short enough to keep the test short.
 */
const CAPTURE_DEADLINE_MS = 4_000;
const COMPLETION_GRACE_MS = 500;
const SETTINGS: BookingSettings = {
  ...DEFAULT_BOOKING_SETTINGS,
  expirySweepInterval_ms: 100,
  expiryBatchSize: 50,
  captureDeadline_ms: CAPTURE_DEADLINE_MS,
  completionGrace_ms: COMPLETION_GRACE_MS,
  deadlineWatchInterval_ms: 100,
  deadlineBatchSize: 50,
};
/** Past a hold's expiry by this much, the sweeper (every 100 ms) has had about ten chances to expire it. */
const SWEEPER_CHANCES_MS = 1_000;
/** The slot of the completion test starts this far ahead: a RequestBooking consumed after the start would be rejected SLOT_IN_PAST. */
const NEAR_SLOT_LEAD_MS = 5_000;
const messages = new BookingMessages(TENANT, 'booking-deadlines-test');

describe('booking saga deadlines (in-process, real PostgreSQL, Kafka, registry)', () => {
  let booking: BookingInProcess;

  async function bookingRow(bookingId: string): Promise<Record<string, unknown> | undefined> {
    const rows = await booking.pool.query('SELECT status, version::text, confirmed_at, deadline_stage, deadline_at, timeout_requested_at FROM bookings WHERE booking_id = $1', [bookingId]);
    return rows.rows[0] as Record<string, unknown> | undefined;
  }

  /** A held booking of a fresh resource; its slot starts at `startsAt` and lasts `length_ms`. */
  async function holdBooking(startsAt: Date, length_ms = HOUR_MS): Promise<RequestBooking> {
    const command = messages.requestBooking(await booking.addResource(TENANT), startsAt, { length_ms });
    await booking.send(RequestBooking, command, command.bookingId);
    await booking.waitForEvent(command.bookingId, 'BookingHeld');
    return command;
  }

  function capture(bookingId: string, paymentId: string): PaymentCaptured {
    return {
      envelope: { ...messages.envelope('PaymentCaptured', paymentId, PAYMENT_SERVICE), correlationId: bookingId },
      paymentId,
      bookingId,
      statusBefore: 'AUTHORIZED',
      statusAfter: 'CAPTURED',
      reason: 'PSP_RESPONSE',
      pspPaymentIntentId: 'pi_test',
      pspIdempotencyKey: `pay_${paymentId}_capture`,
      pspChargeId: null,
      capturedAmount: { amountMinor: PRICE_MINOR, currency: 'EUR' },
      platformFee: { amountMinor: 1_235n, currency: 'EUR' },
      feeBps: null,
      feeRule: null,
      feeScheduleVersion: null,
    };
  }

  /** Authorized and captured, sent back to back with the payment's key: one partition, consumed in this order. */
  async function confirmAndCapture(bookingId: string): Promise<string> {
    const paymentId = randomUUID();
    const captured = capture(bookingId, paymentId);
    await booking.send(PaymentAuthorized, messages.paymentAuthorized(bookingId, paymentId), paymentId);
    await booking.send(PaymentCaptured, captured, paymentId);
    expect(await booking.waitForOutcome(captured.envelope.eventId)).toEqual(['applied']);
    return paymentId;
  }

  beforeAll(async () => {
    // The commands topic too: the watcher's BookingDeadlineReached travels on it.
    booking = await startBookingInProcess({ suiteName: 'booking-deadlines', settings: SETTINGS, read: [RequestBooking.topic, BookingHeld.topic] });
  });

  afterAll(async () => {
    await booking?.close();
  });

  it('cancels a confirmed booking whose capture is not recorded by its deadline: BookingDeadlineReached on booking.commands, then BookingCancelled(SAGA_DEADLINE_EXCEEDED) with a full refund; a late capture is stale', async () => {
    const timeoutsBefore = await booking.metricValue('booking_saga_timeouts_total', { stage: 'CAPTURE' });
    const { bookingId } = await holdBooking(new Date(Date.now() + 48 * HOUR_MS));
    const paymentId = randomUUID();
    await booking.send(PaymentAuthorized, messages.paymentAuthorized(bookingId, paymentId), paymentId);
    const confirmed = await booking.waitForEvent(bookingId, 'BookingConfirmed');

    // The deadline is fixed at confirmation: confirmed_at + the capture deadline.
    const atConfirmation = await bookingRow(bookingId);
    expect(atConfirmation).toMatchObject({ status: 'CONFIRMED', deadline_stage: 'CAPTURE', confirmed_at: confirmed.value.envelope.occurredAt, timeout_requested_at: null });
    const deadlineAt = atConfirmation?.deadline_at as Date;
    expect(deadlineAt.getTime()).toBe(confirmed.value.envelope.occurredAt.getTime() + CAPTURE_DEADLINE_MS);

    const reached = await booking.waitForEvent(bookingId, 'BookingDeadlineReached');
    expect(reached.key).toBe(bookingId);
    expect(reached.value).toMatchObject({ stage: 'CAPTURE', deadlineAt, statusSeen: 'CONFIRMED' });
    expect(reached.value.envelope).toMatchObject({ actor: WATCHER, causationId: null, correlationId: bookingId, aggregateVersion: 2n, producer: 'booking' });
    expect(reached.value.envelope.occurredAt.getTime()).toBeGreaterThanOrEqual(deadlineAt.getTime());

    const cancelled = await booking.waitForEvent(bookingId, 'BookingCancelled');
    expect(cancelled.value).toMatchObject({ statusBefore: 'CONFIRMED', statusAfter: 'CANCELLED', reason: 'SAGA_DEADLINE_EXCEEDED', paymentId, refundAmount: { amountMinor: PRICE_MINOR, currency: 'EUR' } });
    expect(cancelled.value.envelope).toMatchObject({ actor: WATCHER, causationId: reached.value.envelope.eventId, aggregateVersion: 3n });
    expect(await booking.waitForOutcome(reached.value.envelope.eventId)).toEqual(['applied']);
    // Terminal: no deadline any more, the timeout request forgotten with its stage.
    expect(await bookingRow(bookingId)).toMatchObject({ status: 'CANCELLED', version: '3', deadline_stage: null, deadline_at: null, timeout_requested_at: null });
    expect(await booking.metricValue('booking_saga_timeouts_total', { stage: 'CAPTURE' })).toBe(timeoutsBefore + 1);
    // One timeout per stage: the watcher did not ask twice.
    expect(booking.eventsOf(bookingId, 'BookingDeadlineReached')).toHaveLength(1);

    // The capture lands after all: booking ignores it (payment refunds it, as it remembered the cancellation).
    const late = capture(bookingId, paymentId);
    await booking.send(PaymentCaptured, late, paymentId);
    expect(await booking.waitForOutcome(late.envelope.eventId)).toEqual(['stale']);
    const recorded = await booking.pool.query('SELECT outcome, reason FROM unapplied_messages WHERE event_id = $1', [late.envelope.eventId]);
    expect(recorded.rows).toEqual([{ outcome: 'stale', reason: 'BOOKING_CANCELLED' }]);
  });

  it('completes a captured booking the merchant never completed, the grace after its slot ended: BookingCompleted(DELIVERY_PRESUMED), delivered at the slot end, by the watcher', async () => {
    const timeoutsBefore = await booking.metricValue('booking_saga_timeouts_total', { stage: 'COMPLETION' });
    const slotLength_ms = 1_000;
    const { bookingId, slot } = await holdBooking(new Date(Date.now() + NEAR_SLOT_LEAD_MS), slotLength_ms);
    const paymentId = await confirmAndCapture(bookingId);
    expect(await bookingRow(bookingId)).toMatchObject({ status: 'CONFIRMED', deadline_stage: 'COMPLETION', deadline_at: new Date(slot.endsAt.getTime() + COMPLETION_GRACE_MS) });

    const reached = await booking.waitForEvent(bookingId, 'BookingDeadlineReached');
    expect(reached.value).toMatchObject({ stage: 'COMPLETION', deadlineAt: new Date(slot.endsAt.getTime() + COMPLETION_GRACE_MS), statusSeen: 'CONFIRMED' });
    const completed = await booking.waitForEvent(bookingId, 'BookingCompleted');
    expect(completed.value).toMatchObject({ statusBefore: 'CONFIRMED', statusAfter: 'COMPLETED', reason: 'DELIVERY_PRESUMED', paymentId, deliveredAt: slot.endsAt });
    expect(completed.value.envelope).toMatchObject({ actor: WATCHER, causationId: reached.value.envelope.eventId });
    expect(await bookingRow(bookingId)).toMatchObject({ status: 'COMPLETED', deadline_stage: null, deadline_at: null });
    expect(await booking.metricValue('booking_saga_timeouts_total', { stage: 'COMPLETION' })).toBe(timeoutsBefore + 1);
  });

  it('records a timeout the saga has overtaken as stale, and refuses one that does not come from the platform; the booking is unchanged', async () => {
    const { bookingId } = await holdBooking(new Date(Date.now() + 72 * HOUR_MS));
    await confirmAndCapture(bookingId);
    const before = await bookingRow(bookingId);
    expect(before).toMatchObject({ status: 'CONFIRMED', deadline_stage: 'COMPLETION' });

    // A capture timeout that was on its way when the capture was recorded.
    const overtaken: BookingDeadlineReached = { envelope: messages.envelope('BookingDeadlineReached', bookingId, WATCHER), bookingId, stage: 'CAPTURE', deadlineAt: new Date(Date.now() - 1_000), statusSeen: 'CONFIRMED' };
    await booking.send(BookingDeadlineReached, overtaken, bookingId);
    expect(await booking.waitForOutcome(overtaken.envelope.eventId)).toEqual(['stale']);
    // The same command from a merchant's key would complete without delivery: refused.
    const forged: BookingDeadlineReached = { ...overtaken, envelope: messages.envelope('BookingDeadlineReached', bookingId, { type: 'API_KEY', id: 'merchant-key' }), stage: 'COMPLETION' };
    await booking.send(BookingDeadlineReached, forged, bookingId);
    expect(await booking.waitForOutcome(forged.envelope.eventId)).toEqual(['rejected']);

    const recorded = await booking.pool.query('SELECT event_id, outcome, reason, status FROM unapplied_messages WHERE booking_id = $1 ORDER BY outcome DESC', [bookingId]);
    expect(recorded.rows).toEqual([
      { event_id: overtaken.envelope.eventId, outcome: 'stale', reason: 'STAGE_PASSED', status: 'CONFIRMED' },
      { event_id: forged.envelope.eventId, outcome: 'rejected', reason: 'NOT_SYSTEM', status: 'CONFIRMED' },
    ]);
    expect(await bookingRow(bookingId)).toEqual(before);
    expect(booking.eventsOf(bookingId, 'BookingCompleted')).toHaveLength(0);
  });

  it('shows a saga stuck past its deadline in overdue_sagas and booking_sagas_overdue until it ends', async () => {
    const { bookingId } = await holdBooking(new Date(Date.now() + 96 * HOUR_MS));
    const paymentId = randomUUID();
    await booking.send(PaymentAuthorized, messages.paymentAuthorized(bookingId, paymentId), paymentId);
    await booking.waitForEvent(bookingId, 'BookingConfirmed');
    // A timeout that was requested and never applied (say its command sits on the dead-letter
    // topic): the watcher does not ask twice, so only the view and the gauge can tell.
    const requestedAt = new Date(Date.now() - 60_000);
    await booking.pool.query("UPDATE bookings SET deadline_at = now() - interval '10 minutes', timeout_requested_at = $2 WHERE booking_id = $1", [bookingId, requestedAt]);

    const listed = await booking.pool.query('SELECT booking_id, tenant_id, status, stage, overdue_ms::int AS overdue_ms, timeout_requested_at FROM overdue_sagas WHERE booking_id = $1', [bookingId]);
    expect(listed.rows).toEqual([{ booking_id: bookingId, tenant_id: TENANT, status: 'CONFIRMED', stage: 'CAPTURE', overdue_ms: expect.any(Number), timeout_requested_at: requestedAt }]);
    expect(listed.rows[0].overdue_ms).toBeGreaterThanOrEqual(10 * 60_000);
    await waitFor('the gauge to count the stuck saga', async () => ((await booking.metricValue('booking_sagas_overdue', { stage: 'CAPTURE' })) === 1 ? true : undefined), FLOW_TIMEOUT_MS);
    const metrics = await (await fetch(`http://127.0.0.1:${booking.service.httpPort}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    expect(metrics).toContain('booking_sagas_overdue{stage="CAPTURE",service="booking"} 1');
    expect(metrics).toContain('booking_sagas_overdue{stage="HOLD",service="booking"} 0');

    // Someone ends it (here: the timeout is asked for again); the gauge goes back to zero.
    await booking.pool.query('UPDATE bookings SET timeout_requested_at = NULL WHERE booking_id = $1', [bookingId]);
    expect((await booking.waitForEvent(bookingId, 'BookingCancelled')).value).toMatchObject({ reason: 'SAGA_DEADLINE_EXCEEDED' });
    await waitFor('the gauge to drop to zero', async () => ((await booking.metricValue('booking_sagas_overdue', { stage: 'CAPTURE' })) === 0 ? true : undefined), FLOW_TIMEOUT_MS);
    expect((await booking.pool.query('SELECT 1 FROM overdue_sagas WHERE booking_id = $1', [bookingId])).rows).toEqual([]);
  });

  it('counts a HELD booking as overdue only once the sweeper had an interval to expire it; the count is per stage and bounded', async () => {
    // Inside one uncommitted transaction: the sweeper and the watcher cannot see (or end) these rows.
    const client = await booking.pool.connect();
    try {
      await client.query('BEGIN');
      const now = (await client.query<{ now: Date }>('SELECT now()')).rows[0]?.now as Date;
      const insert = (ageOfDeadline_ms: number) =>
        client.query(
          `INSERT INTO bookings (booking_id, tenant_id, resource_id, starts_at, ends_at, status, version, hold_expires_at, customer_id, price_minor, currency, deadline_stage, deadline_at)
           VALUES ($1, $2, $3, $4, $5, 'HELD', 1, $6, 'c', 1, 'EUR', 'HOLD', $6)`,
          [randomUUID(), TENANT, `room-${randomUUID().slice(0, 8)}`, new Date(now.getTime() + HOUR_MS), new Date(now.getTime() + 2 * HOUR_MS), new Date(now.getTime() - ageOfDeadline_ms)],
        );
      // One just expired (the sweeper's next run is due), two long past.
      await insert(50);
      await insert(HOUR_MS);
      await insert(2 * HOUR_MS);
      const cutoffs = { hold: new Date(now.getTime() - SETTINGS.expirySweepInterval_ms), others: new Date(now.getTime() - SETTINGS.deadlineWatchInterval_ms) };
      expect(Object.fromEntries(await bookingStore.countOverdue(fromPgClient(client), cutoffs, 1_000))).toEqual({ HOLD: 2 });
      expect(Object.fromEntries(await bookingStore.countOverdue(fromPgClient(client), cutoffs, 1))).toEqual({ HOLD: 1 });
      // The view has no interval to go by: it lists every one past its deadline, most overdue first.
      const listed = await client.query<{ stage: string; overdue_ms: string }>("SELECT stage, overdue_ms FROM overdue_sagas WHERE tenant_id = $1 AND status = 'HELD' ORDER BY deadline_at", [TENANT]);
      expect(listed.rows.map((row) => row.stage)).toEqual(['HOLD', 'HOLD', 'HOLD']);
      expect(listed.rows.map((row) => Number(row.overdue_ms))).toEqual([2 * HOUR_MS, HOUR_MS, 50]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('confirms a booking whose authorization happened within the hold although booking consumes it after the hold expired: the sweeper waits for the grace', async () => {
    const command = messages.requestBooking(await booking.addResource(TENANT), new Date(Date.now() + 120 * HOUR_MS), { holdFor_ms: 2_000 });
    await booking.send(RequestBooking, command, command.bookingId);
    await booking.waitForEvent(command.bookingId, 'BookingHeld');
    // The hold runs out and the sweeper (every 100 ms) has had about ten chances to take it.
    await sleep(command.holdExpiresAt.getTime() + SWEEPER_CHANCES_MS - Date.now());

    // The PSP authorized before the hold expired; payment learned it late (a PSP query) and says when it happened.
    const paymentId = randomUUID();
    const late = { ...messages.paymentAuthorized(command.bookingId, paymentId), reason: 'PSP_QUERY', authorizedAt: new Date(command.holdExpiresAt.getTime() - 500) };
    expect(late.envelope.occurredAt.getTime()).toBeGreaterThan(command.holdExpiresAt.getTime());
    await booking.send(PaymentAuthorized, late, paymentId);
    expect(await booking.waitForOutcome(late.envelope.eventId)).toEqual(['applied']);
    expect((await booking.waitForEvent(command.bookingId, 'BookingConfirmed')).value).toMatchObject({ statusBefore: 'HELD', statusAfter: 'CONFIRMED', paymentId });
    expect(booking.eventsOf(command.bookingId, 'BookingExpired')).toHaveLength(0);
  });

  it('expires a held booking at once when its authorization happened after the hold, though the sweeper is still waiting for the grace', async () => {
    const command = messages.requestBooking(await booking.addResource(TENANT), new Date(Date.now() + 144 * HOUR_MS), { holdFor_ms: 2_000 });
    await booking.send(RequestBooking, command, command.bookingId);
    await booking.waitForEvent(command.bookingId, 'BookingHeld');
    // The stored HOLD deadline, what the sweeper and the overdue view go by: the hold's expiry plus the grace.
    expect(await bookingRow(command.bookingId)).toMatchObject({ deadline_stage: 'HOLD', deadline_at: new Date(command.holdExpiresAt.getTime() + SETTINGS.holdExpiryGrace_ms) });
    await sleep(command.holdExpiresAt.getTime() + SWEEPER_CHANCES_MS - Date.now());

    const paymentId = randomUUID();
    const tooLate = { ...messages.paymentAuthorized(command.bookingId, paymentId), authorizedAt: new Date(command.holdExpiresAt.getTime() + 1) };
    await booking.send(PaymentAuthorized, tooLate, paymentId);
    const expired = await booking.waitForEvent(command.bookingId, 'BookingExpired');
    expect(expired.value).toMatchObject({ statusBefore: 'HELD', statusAfter: 'EXPIRED', reason: 'AUTHORIZED_AFTER_HOLD_EXPIRED' });
    expect(expired.value.envelope).toMatchObject({ causationId: tooLate.envelope.eventId });
    expect(booking.eventsOf(command.bookingId, 'BookingConfirmed')).toHaveLength(0);
  });

  it("refuses a timeout that carries an earlier deadline than the booking's stored one (DEADLINE_MISMATCH): the booking is not completed days early", async () => {
    const { bookingId } = await holdBooking(new Date(Date.now() + 72 * HOUR_MS));
    await confirmAndCapture(bookingId);
    const before = await bookingRow(bookingId);
    // Captured: the stored deadline is the slot's end plus the grace, three days ahead.
    expect(before).toMatchObject({ status: 'CONFIRMED', deadline_stage: 'COMPLETION' });
    expect((before?.deadline_at as Date).getTime()).toBeGreaterThan(Date.now() + 71 * HOUR_MS);

    // The platform's own actor and the right stage, but a deadline that "passed" a second ago.
    const early: BookingDeadlineReached = { envelope: messages.envelope('BookingDeadlineReached', bookingId, WATCHER), bookingId, stage: 'COMPLETION', deadlineAt: new Date(Date.now() - 1_000), statusSeen: 'CONFIRMED' };
    await booking.send(BookingDeadlineReached, early, bookingId);
    expect(await booking.waitForOutcome(early.envelope.eventId)).toEqual(['rejected']);
    const recorded = await booking.pool.query('SELECT outcome, reason, status FROM unapplied_messages WHERE event_id = $1', [early.envelope.eventId]);
    expect(recorded.rows).toEqual([{ outcome: 'rejected', reason: 'DEADLINE_MISMATCH', status: 'CONFIRMED' }]);
    expect(await bookingRow(bookingId)).toEqual(before);
    expect(booking.eventsOf(bookingId, 'BookingCompleted')).toHaveLength(0);
  });
});
