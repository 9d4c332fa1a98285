import { randomUUID } from 'node:crypto';
import { BookingHeld, CancelBooking, CompleteBooking, PaymentAuthorized, RequestBooking, type BookingCancelled } from '@txn/contracts';
import { waitFor } from '@txn/testing';
import { DEFAULT_BOOKING_SETTINGS } from '../../src/settings';
import { BookingMessages, CUSTOMER, FLOW_TIMEOUT_MS, HOUR_MS, startBookingInProcess, type BookingInProcess } from './support';

// The booking service in-process (bootstrapService, as main.ts does) on the real PostgreSQL,
// Kafka and registry: a suite database, suite topics (topicOverrides), a suite consumer group.

const TENANT = 'merchant-1';
const CUSTOMER_EMAIL = 'customer@example.test';
const messages = new BookingMessages(TENANT, 'booking-test');
/** Short, so that the expiry test waits for it; saga-deadlines.int-spec.ts shows an authorization landing within the default one. */
const HOLD_EXPIRY_GRACE_MS = 1_000;

function requestBookingCommand(resourceId: string, startsAt: Date, options: { holdFor_ms?: number } = {}): RequestBooking {
  return messages.requestBooking(resourceId, startsAt, { customerEmail: CUSTOMER_EMAIL, holdFor_ms: options.holdFor_ms });
}

describe('booking service (in-process, real PostgreSQL, Kafka, registry)', () => {
  let booking: BookingInProcess;

  beforeAll(async () => {
    booking = await startBookingInProcess({
      suiteName: 'booking-service',
      settings: { ...DEFAULT_BOOKING_SETTINGS, hold_ms: 15 * 60_000, expirySweepInterval_ms: 100, expiryBatchSize: 50, holdExpiryGrace_ms: HOLD_EXPIRY_GRACE_MS },
      read: [BookingHeld.topic],
    });
  });

  afterAll(async () => {
    await booking?.close();
  });

  it('holds a requested slot: BookingHeld on booking events, keyed and enveloped for the saga, and reports ready', async () => {
    const resourceId = await booking.addResource(TENANT);
    const command = requestBookingCommand(resourceId, new Date(Date.now() + 24 * HOUR_MS));
    await booking.send(RequestBooking, command, command.bookingId);

    const held = await booking.waitForEvent(command.bookingId, 'BookingHeld');
    expect(held.key).toBe(command.bookingId);
    expect(held.value.envelope).toMatchObject({ aggregateId: command.bookingId, correlationId: command.bookingId, causationId: command.envelope.eventId, actor: CUSTOMER, tenantId: TENANT, producer: 'booking', aggregateVersion: 1n });
    expect(held.value).toMatchObject({ statusBefore: null, statusAfter: 'HELD', price: { amountMinor: 12_345n, currency: 'EUR' } });
    const row = await booking.pool.query('SELECT status, version FROM bookings WHERE booking_id = $1', [command.bookingId]);
    expect(row.rows).toEqual([{ status: 'HELD', version: '1' }]);

    const ready = await fetch(`http://127.0.0.1:${booking.service.httpPort}/health/ready`, { signal: AbortSignal.timeout(5_000) });
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${booking.service.httpPort}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    expect(metrics).toContain('booking_decisions_total{message_type="RequestBooking",outcome="applied"');
    // Personal data never reaches a log line.
    expect(JSON.stringify(booking.logs)).not.toContain(CUSTOMER_EMAIL);
  });

  it('gives one slot to exactly one of ten concurrent requests; the exclusion constraint rejects the other nine', async () => {
    const resourceId = await booking.addResource(TENANT);
    const startsAt = new Date(Date.now() + 48 * HOUR_MS);
    const commands = Array.from({ length: 10 }, () => requestBookingCommand(resourceId, startsAt));
    await Promise.all(commands.map((command) => booking.send(RequestBooking, command, command.bookingId)));

    await waitFor('a decision for each of the ten requests', () => (commands.every((command) => booking.eventsOf(command.bookingId).length > 0) ? true : undefined), FLOW_TIMEOUT_MS);
    const decided = commands.map((command) => booking.eventsOf(command.bookingId)[0]);
    expect(decided.filter((event) => event?.eventType === 'BookingHeld')).toHaveLength(1);
    const rejected = decided.filter((event) => event?.eventType === 'BookingRejected');
    expect(rejected).toHaveLength(9);
    for (const event of rejected) expect(event?.value).toMatchObject({ rejectionCode: 'SLOT_UNAVAILABLE', statusAfter: 'REJECTED' });
    const live = await booking.pool.query("SELECT count(*)::int AS n FROM bookings WHERE resource_id = $1 AND status IN ('HELD', 'CONFIRMED', 'COMPLETED')", [resourceId]);
    expect(live.rows[0]?.n).toBe(1);

    // The database itself refuses an overlapping live booking, whatever the code does.
    await expect(
      booking.pool.query(
        `INSERT INTO bookings (booking_id, tenant_id, resource_id, starts_at, ends_at, status, version, hold_expires_at, customer_id, price_minor, currency, deadline_stage, deadline_at)
         VALUES ($1, $2, $3, $4, $5, 'HELD', 1, now(), 'intruder', 1, 'EUR', 'HOLD', now())`,
        [randomUUID(), TENANT, resourceId, new Date(startsAt.getTime() + 30 * 60_000), new Date(startsAt.getTime() + 2 * HOUR_MS)],
      ),
    ).rejects.toMatchObject({ code: '23P01' });
  });

  it("refunds a customer's cancellation by the merchant's own policy as it stood when the booking was made", async () => {
    // Another merchant, so no other test's booking sees this policy: 100 % with 96 h notice, 25 % with 48 h, else nothing.
    const tenant = 'merchant-with-terms';
    const terms = new BookingMessages(tenant, 'booking-test');
    await booking.pool.query('INSERT INTO refund_policies (tenant_id, tiers, otherwise_bp) VALUES ($1, $2, 0)', [
      tenant,
      JSON.stringify([
        { minNotice_ms: 96 * HOUR_MS, refund_bp: 10_000 },
        { minNotice_ms: 48 * HOUR_MS, refund_bp: 2_500 },
      ]),
    ]);
    const confirmedBooking = async (): Promise<RequestBooking> => {
      const resourceId = await booking.addResource(tenant);
      const command = terms.requestBooking(resourceId, new Date(Date.now() + 72 * HOUR_MS));
      await booking.send(RequestBooking, command, command.bookingId);
      await booking.waitForEvent(command.bookingId, 'BookingHeld');
      const paymentId = randomUUID();
      await booking.send(PaymentAuthorized, terms.paymentAuthorized(command.bookingId, paymentId), paymentId);
      await booking.waitForEvent(command.bookingId, 'BookingConfirmed');
      return command;
    };
    const cancelledBy = async (command: RequestBooking): Promise<BookingCancelled> => {
      const cancellation: CancelBooking = { envelope: terms.envelope('CancelBooking', command.bookingId), bookingId: command.bookingId, reason: 'CUSTOMER_REQUEST' };
      await booking.send(CancelBooking, cancellation, command.bookingId);
      return (await booking.waitForEvent(command.bookingId, 'BookingCancelled')).value as unknown as BookingCancelled;
    };

    const bookedUnderOldTerms = await confirmedBooking();
    // The merchant turns generous afterwards: bookings made before keep the terms they were made under.
    await booking.pool.query(`UPDATE refund_policies SET tiers = '[]', otherwise_bp = 10000, updated_at = now() WHERE tenant_id = $1`, [tenant]);
    const bookedUnderNewTerms = await confirmedBooking();

    // 72 h notice: 25 % under the old terms (the platform default would give 100 %), all of it under the new.
    const oldTerms = await cancelledBy(bookedUnderOldTerms);
    expect(oldTerms).toMatchObject({ statusBefore: 'CONFIRMED', statusAfter: 'CANCELLED', refundAmount: { amountMinor: bookedUnderOldTerms.price.amountMinor / 4n, currency: bookedUnderOldTerms.price.currency } });
    const newTerms = await cancelledBy(bookedUnderNewTerms);
    expect(newTerms.refundAmount).toEqual(bookedUnderNewTerms.price);
  });

  it('confirms a held booking on PaymentAuthorized', async () => {
    const resourceId = await booking.addResource(TENANT);
    const command = requestBookingCommand(resourceId, new Date(Date.now() + 72 * HOUR_MS));
    await booking.send(RequestBooking, command, command.bookingId);
    await booking.waitForEvent(command.bookingId, 'BookingHeld');

    const paymentId = randomUUID();
    const authorized = messages.paymentAuthorized(command.bookingId, paymentId);
    await booking.send(PaymentAuthorized, authorized, paymentId);

    const confirmed = await booking.waitForEvent(command.bookingId, 'BookingConfirmed');
    expect(confirmed.value).toMatchObject({ statusBefore: 'HELD', statusAfter: 'CONFIRMED', paymentId, reason: 'PAYMENT_AUTHORIZED' });
    expect(confirmed.value.envelope).toMatchObject({ causationId: authorized.envelope.eventId, correlationId: command.bookingId, aggregateVersion: 2n, actor: { type: 'SERVICE', id: 'booking' } });
  });

  it('expires an unpaid hold once its expiry and the grace after it have passed: BookingExpired from the sweeper', async () => {
    const resourceId = await booking.addResource(TENANT);
    const command = requestBookingCommand(resourceId, new Date(Date.now() + 96 * HOUR_MS), { holdFor_ms: 1_500 });
    await booking.send(RequestBooking, command, command.bookingId);
    await booking.waitForEvent(command.bookingId, 'BookingHeld');

    const expired = await booking.waitForEvent(command.bookingId, 'BookingExpired');
    expect(expired.value).toMatchObject({ statusBefore: 'HELD', statusAfter: 'EXPIRED', reason: 'HOLD_EXPIRED' });
    expect(expired.value.envelope).toMatchObject({ causationId: null, correlationId: command.bookingId, aggregateVersion: 2n, actor: { type: 'SYSTEM', id: 'booking-expiry-sweeper' } });
    expect(expired.value.envelope.occurredAt.getTime()).toBeGreaterThanOrEqual(command.holdExpiresAt.getTime() + HOLD_EXPIRY_GRACE_MS);
    // The slot is free again: a new request for it is held.
    const again = requestBookingCommand(resourceId, command.slot.startsAt);
    await booking.send(RequestBooking, again, again.bookingId);
    await booking.waitForEvent(again.bookingId, 'BookingHeld');
  });

  it('records a redelivered command as duplicate and emits nothing more', async () => {
    const resourceId = await booking.addResource(TENANT);
    const command = requestBookingCommand(resourceId, new Date(Date.now() + 120 * HOUR_MS));
    await booking.send(RequestBooking, command, command.bookingId);
    await booking.waitForEvent(command.bookingId, 'BookingHeld');

    await booking.send(RequestBooking, command, command.bookingId);
    await waitFor('the redelivery to be handled', () => (booking.outcomesOf(command.envelope.eventId).includes('duplicate') ? true : undefined), FLOW_TIMEOUT_MS);
    expect(booking.outcomesOf(command.envelope.eventId)).toEqual(['applied', 'duplicate']);
    const outbox = await booking.pool.query("SELECT event_type FROM outbox WHERE message_key = $1", [command.bookingId]);
    expect(outbox.rows).toEqual([{ event_type: 'BookingHeld' }]);
  });

  it('refuses an illegal transition (completing a held booking): recorded as rejected with its reason, not applied', async () => {
    const resourceId = await booking.addResource(TENANT);
    const command = requestBookingCommand(resourceId, new Date(Date.now() + 144 * HOUR_MS));
    await booking.send(RequestBooking, command, command.bookingId);
    await booking.waitForEvent(command.bookingId, 'BookingHeld');
    const refusedBefore = await booking.metricValue('booking_decisions_total', { message_type: 'CompleteBooking', outcome: 'rejected', reason: 'NOT_CONFIRMED' });

    const completion: CompleteBooking = { envelope: messages.envelope('CompleteBooking', command.bookingId, { type: 'API_KEY', id: 'merchant-key' }), bookingId: command.bookingId, deliveredAt: new Date(), reason: null };
    await booking.send(CompleteBooking, completion, command.bookingId);
    await booking.waitForOutcome(completion.envelope.eventId);

    expect(booking.outcomesOf(completion.envelope.eventId)).toEqual(['rejected']);
    const recorded = await booking.pool.query('SELECT outcome, reason, status, actor_type, actor_id FROM unapplied_messages WHERE event_id = $1', [completion.envelope.eventId]);
    expect(recorded.rows).toEqual([{ outcome: 'rejected', reason: 'NOT_CONFIRMED', status: 'HELD', actor_type: 'API_KEY', actor_id: 'merchant-key' }]);
    const inbox = await booking.pool.query('SELECT outcome FROM inbox WHERE event_id = $1', [completion.envelope.eventId]);
    expect(inbox.rows).toEqual([{ outcome: 'rejected' }]);
    const row = await booking.pool.query('SELECT status, version FROM bookings WHERE booking_id = $1', [command.bookingId]);
    expect(row.rows).toEqual([{ status: 'HELD', version: '1' }]);
    const outbox = await booking.pool.query("SELECT 1 FROM outbox WHERE message_key = $1 AND event_type = 'BookingCompleted'", [command.bookingId]);
    expect(outbox.rows).toHaveLength(0);
    expect(await booking.metricValue('booking_decisions_total', { message_type: 'CompleteBooking', outcome: 'rejected', reason: 'NOT_CONFIRMED' })).toBe(refusedBefore + 1);
    expect(booking.logs.some((line) => line.msg === 'booking refused a message' && line.eventId === completion.envelope.eventId && line.reason === 'NOT_CONFIRMED')).toBe(true);
  });

  it("refuses a cancellation from a customer who is not the booking's own: recorded as rejected NOT_BOOKING_CUSTOMER, nothing changes; the booking's customer then cancels it", async () => {
    const resourceId = await booking.addResource(TENANT);
    const command = requestBookingCommand(resourceId, new Date(Date.now() + 168 * HOUR_MS));
    await booking.send(RequestBooking, command, command.bookingId);
    await booking.waitForEvent(command.bookingId, 'BookingHeld');

    // Another customer of the same merchant: the tenant matches, the customer does not.
    const stranger = { type: 'USER' as const, id: 'customer-2' };
    const foreign: CancelBooking = { envelope: messages.envelope('CancelBooking', command.bookingId, stranger), bookingId: command.bookingId, reason: 'CUSTOMER_REQUEST' };
    await booking.send(CancelBooking, foreign, command.bookingId);
    expect(await booking.waitForOutcome(foreign.envelope.eventId)).toEqual(['rejected']);
    const recorded = await booking.pool.query('SELECT outcome, reason, status, actor_type, actor_id FROM unapplied_messages WHERE event_id = $1', [foreign.envelope.eventId]);
    expect(recorded.rows).toEqual([{ outcome: 'rejected', reason: 'NOT_BOOKING_CUSTOMER', status: 'HELD', actor_type: 'USER', actor_id: 'customer-2' }]);
    expect((await booking.pool.query('SELECT status, version FROM bookings WHERE booking_id = $1', [command.bookingId])).rows).toEqual([{ status: 'HELD', version: '1' }]);

    const own: CancelBooking = { envelope: messages.envelope('CancelBooking', command.bookingId, CUSTOMER), bookingId: command.bookingId, reason: 'CUSTOMER_REQUEST' };
    await booking.send(CancelBooking, own, command.bookingId);
    const cancelled = await booking.waitForEvent(command.bookingId, 'BookingCancelled');
    expect(cancelled.value.envelope).toMatchObject({ causationId: own.envelope.eventId, actor: CUSTOMER, aggregateVersion: 2n });
    expect(booking.eventsOf(command.bookingId, 'BookingCancelled')).toHaveLength(1);
  });
});
