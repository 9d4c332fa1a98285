import { randomUUID } from 'node:crypto';
import { DEFAULT_DEADLINE_POLICY, requestBooking, sagaDeadline, type Booking, type BookingDeadlineStage, type RefundPolicy, type SagaDeadline } from '@txn/booking-domain';
import type { Actor, Envelope } from '@txn/contracts';
import type { UnappliedRecord } from '@txn/nest-messaging';
import type { SqlTransaction, Transactions } from '@txn/sql';
import type { Bookings, DueDeadline, DueHold } from '../../src/application/ports';

// Typed fakes for booking's unit specs: the ports in memory, with what the database guarantees
// that the use cases rely on (a slot overlapping a live booking of the resource is refused).

export const NOW = new Date('2026-12-02T10:00:00Z');
export const HOUR_MS = 3_600_000;
export const TENANT = 'merchant-1';
export const CUSTOMER: Actor = { type: 'USER', id: 'customer-1' };
export const PAYMENT_SERVICE: Actor = { type: 'SERVICE', id: 'payment' };
export const BOOKING_SERVICE: Actor = { type: 'SERVICE', id: 'booking' };
/** The fakes never look at the transaction. */
export const TX: SqlTransaction = { query: () => Promise.reject(new Error('a fake port runs no SQL')) };
export const runInFakeTransaction: Transactions = (work) => work(TX);

const LIVE = new Set(['HELD', 'CONFIRMED']);

export class FakeBookings implements Bookings {
  readonly rows = new Map<string, { booking: Booking; deadline: SagaDeadline | null; timeoutRequestedAt: Date | null; refundPolicy: RefundPolicy | null }>();
  readonly resources = new Set<string>();
  readonly policies = new Map<string, RefundPolicy>();
  readonly unapplied: UnappliedRecord[] = [];

  addResource(resourceId = randomUUID()): string {
    this.resources.add(`${TENANT}/${resourceId}`);
    return resourceId;
  }

  /** A booking as stored, with the deadline of its stage by the default policy. */
  put(booking: Booking): Booking {
    this.rows.set(booking.bookingId, { booking, deadline: sagaDeadline(booking, DEFAULT_DEADLINE_POLICY), timeoutRequestedAt: null, refundPolicy: this.policies.get(booking.tenantId) ?? null });
    return booking;
  }

  stored(bookingId: string): Booking | undefined {
    return this.rows.get(bookingId)?.booking;
  }

  lockForUpdate(_tx: SqlTransaction, bookingId: string): Promise<Booking | undefined> {
    return Promise.resolve(this.stored(bookingId));
  }

  lockStoredDeadline(_tx: SqlTransaction, bookingId: string): Promise<SagaDeadline | null> {
    return Promise.resolve(this.rows.get(bookingId)?.deadline ?? null);
  }

  refundPolicyOf(_tx: SqlTransaction, bookingId: string): Promise<RefundPolicy | null> {
    return Promise.resolve(this.rows.get(bookingId)?.refundPolicy ?? null);
  }

  resourceExists(_tx: SqlTransaction, tenantId: string, resourceId: string): Promise<boolean> {
    return Promise.resolve(this.resources.has(`${tenantId}/${resourceId}`));
  }

  insertIfSlotFree(tx: SqlTransaction, booking: Booking, deadline: SagaDeadline | null): Promise<boolean> {
    const overlaps = [...this.rows.values()].some(
      ({ booking: other }) =>
        LIVE.has(other.status) &&
        other.slot.resourceId === booking.slot.resourceId &&
        other.slot.startsAt.getTime() < booking.slot.endsAt.getTime() &&
        booking.slot.startsAt.getTime() < other.slot.endsAt.getTime(),
    );
    if (overlaps) return Promise.resolve(false);
    return this.insert(tx, booking, deadline).then(() => true);
  }

  insert(_tx: SqlTransaction, booking: Booking, deadline: SagaDeadline | null): Promise<void> {
    if (this.rows.has(booking.bookingId)) throw new Error(`booking ${booking.bookingId} exists`);
    this.rows.set(booking.bookingId, { booking, deadline, timeoutRequestedAt: null, refundPolicy: this.policies.get(booking.tenantId) ?? null });
    return Promise.resolve();
  }

  update(_tx: SqlTransaction, booking: Booking, previousVersion: bigint, deadline: SagaDeadline | null): Promise<void> {
    const row = this.rows.get(booking.bookingId);
    if (row === undefined || row.booking.version !== previousVersion) throw new Error(`booking ${booking.bookingId}: stored version ${previousVersion} not found`);
    const sameStage = row.deadline?.stage === deadline?.stage;
    this.rows.set(booking.bookingId, { ...row, booking, deadline: sameStage ? row.deadline : deadline, timeoutRequestedAt: sameStage ? row.timeoutRequestedAt : null });
    return Promise.resolve();
  }

  recordUnapplied(_tx: SqlTransaction, record: UnappliedRecord): Promise<void> {
    this.unapplied.push(record);
    return Promise.resolve();
  }

  lockDueHolds(_tx: SqlTransaction, now: Date, limit: number): Promise<DueHold[]> {
    const due: DueHold[] = [];
    for (const { booking, deadline } of this.rows.values()) {
      if (booking.status === 'HELD' && deadline?.stage === 'HOLD' && deadline.at.getTime() <= now.getTime()) due.push({ booking, deadline });
    }
    return Promise.resolve(due.sort((a, b) => a.deadline.at.getTime() - b.deadline.at.getTime()).slice(0, limit));
  }

  lockDueDeadlines(_tx: SqlTransaction, now: Date, limit: number): Promise<DueDeadline[]> {
    const due = [...this.rows.values()].filter(
      (row) => row.deadline !== null && row.deadline.stage !== 'HOLD' && row.timeoutRequestedAt === null && row.deadline.at.getTime() <= now.getTime(),
    );
    return Promise.resolve(
      due.slice(0, limit).map(({ booking, deadline }) => ({
        bookingId: booking.bookingId,
        tenantId: booking.tenantId,
        status: booking.status === 'REQUESTED' ? 'HELD' : booking.status,
        version: booking.version,
        stage: deadline?.stage ?? 'CAPTURE',
        deadlineAt: deadline?.at ?? now,
      })),
    );
  }

  markTimeoutRequested(_tx: SqlTransaction, bookingIds: readonly string[], at: Date): Promise<void> {
    for (const id of bookingIds) {
      const row = this.rows.get(id);
      if (row !== undefined) this.rows.set(id, { ...row, timeoutRequestedAt: at });
    }
    return Promise.resolve();
  }

  countOverdue(_tx: SqlTransaction, cutoffs: { readonly hold: Date; readonly others: Date }, limit: number): Promise<Map<BookingDeadlineStage, number>> {
    const counts = new Map<BookingDeadlineStage, number>();
    let counted = 0;
    for (const { deadline } of this.rows.values()) {
      if (deadline === null || counted >= limit) continue;
      const cutoff = deadline.stage === 'HOLD' ? cutoffs.hold : cutoffs.others;
      if (deadline.at.getTime() >= cutoff.getTime()) continue;
      counts.set(deadline.stage, (counts.get(deadline.stage) ?? 0) + 1);
      counted += 1;
    }
    return Promise.resolve(counts);
  }
}

export function envelope(eventType: string, actor: Actor, aggregateId: string, occurredAt = NOW, tenantId = TENANT): Envelope {
  return { eventId: randomUUID(), eventType, occurredAt, producer: 'test', aggregateId, aggregateVersion: 1n, correlationId: aggregateId, causationId: null, actor, tenantId };
}

/** A booking in the given state of the saga (HELD by default, as the domain makes it), two days ahead, EUR 120.00. */
export function booking(overrides: Partial<Booking> = {}): Booking {
  const slot = { resourceId: 'room-1', startsAt: new Date(NOW.getTime() + 48 * HOUR_MS), endsAt: new Date(NOW.getTime() + 49 * HOUR_MS) };
  const request = { bookingId: overrides.bookingId ?? randomUUID(), tenantId: TENANT, customerId: 'customer-1', customerEmail: null, slot, price: { amountMinor: 12_000n, currency: 'EUR' }, holdExpiresAt: new Date(NOW.getTime() + 15 * 60_000) };
  return { ...requestBooking(request, NOW), status: 'HELD', version: 1n, ...overrides };
}

/** A confirmed booking whose capture was recorded (escrow funded). */
export function captured(overrides: Partial<Booking> = {}): Booking {
  const paymentId = overrides.paymentId ?? randomUUID();
  const amount = { amountMinor: 12_000n, currency: 'EUR' as const };
  return booking({ status: 'CONFIRMED', version: 2n, paymentId, authorizedAmount: amount, capturedAmount: amount, confirmedAt: NOW, ...overrides });
}
