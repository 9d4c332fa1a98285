import type {
  BookingCancelled,
  BookingCompleted,
  BookingConfirmed,
  BookingExpired,
  BookingHeld,
  BookingRejected,
  BookingStatus,
  Money as WireMoney,
  Slot,
} from '@txn/contracts';
import type { Money } from '@txn/money';
import type { Decision, DomainEventsOf, IntentContext } from '@txn/domain-kernel';

export type { BookingStatus, Slot } from '@txn/contracts';

/**
 * REQUESTED exists only inside the booking service, between receiving RequestBooking and
 * deciding it (held or rejected); events show it as `statusBefore: null`.
 */
export type BookingState = 'REQUESTED' | BookingStatus;

export const TERMINAL_BOOKING_STATES: ReadonlySet<BookingState> = new Set(['REJECTED', 'EXPIRED', 'CANCELLED', 'COMPLETED']);

/** Every status change a booking can make. Nothing goes back, nothing leaves a terminal state. */
export const BOOKING_TRANSITIONS: Readonly<Record<BookingState, readonly BookingStatus[]>> = {
  REQUESTED: ['HELD', 'REJECTED'],
  HELD: ['CONFIRMED', 'CANCELLED', 'EXPIRED'],
  CONFIRMED: ['CANCELLED', 'COMPLETED'],
  REJECTED: [],
  EXPIRED: [],
  CANCELLED: [],
  COMPLETED: [],
};

export interface Booking {
  readonly bookingId: string;
  readonly tenantId: string;
  readonly customerId: string;
  readonly customerEmail: string | null;
  readonly slot: Slot;
  /** As requested; its currency is checked when the booking is held (INVALID_PRICE otherwise). */
  readonly price: WireMoney;
  readonly status: BookingState;
  /** Number of events applied; the envelope's aggregateVersion. */
  readonly version: bigint;
  readonly holdExpiresAt: Date;
  readonly paymentId: string | null;
  readonly authorizedAmount: Money | null;
  /** When the booking was confirmed (the decision's time): the capture deadline counts from it. */
  readonly confirmedAt: Date | null;
  /** Learned from PaymentCaptured: escrow is funded, so the booking may complete. */
  readonly capturedAmount: Money | null;
  readonly refundAmount: Money | null;
  readonly deliveredAt: Date | null;
}

/** What a booking emits: its contracts' payloads, as domain events. */
export type BookingEvent = DomainEventsOf<{ BookingHeld: BookingHeld; BookingRejected: BookingRejected; BookingConfirmed: BookingConfirmed; BookingCancelled: BookingCancelled; BookingExpired: BookingExpired; BookingCompleted: BookingCompleted }>;

export type BookingDecision = Decision<Booking, BookingEvent>;

type Draft<E = BookingEvent> = E extends BookingEvent ? Omit<E, 'aggregateId' | 'aggregateVersion' | 'occurredAt' | 'actor' | 'eventId'> : never;

export function isTerminalBooking(booking: Booking): boolean {
  return TERMINAL_BOOKING_STATES.has(booking.status);
}

/**
 * The one place a booking's status and version change: one event, one version, and a status
 * change outside the table is a bug (thrown), never applied.
 */
export function transition(before: Booking, after: Booking, ctx: IntentContext, draft: Draft): BookingDecision {
  const from = before.status === 'REQUESTED' ? null : before.status;
  const { statusBefore, statusAfter } = draft.payload;
  if (statusBefore !== from || !BOOKING_TRANSITIONS[before.status].includes(statusAfter) || statusAfter !== after.status) {
    throw new Error(`booking ${before.bookingId}: illegal transition ${before.status} → ${statusAfter}`);
  }
  const version = before.version + 1n;
  const event = { ...draft, aggregateId: before.bookingId, aggregateVersion: version, occurredAt: ctx.now, actor: ctx.actor } as BookingEvent;
  return { outcome: 'applied', state: { ...after, version }, events: [event] };
}
