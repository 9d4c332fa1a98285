import type { BookingDeadlineStage } from '@txn/contracts';
import { money } from '@txn/money';
import { refused, stale, type IntentContext } from '@txn/domain-kernel';
import { isTerminalBooking, type Booking, type BookingDecision } from './booking';
import { DEFAULT_HOLD_EXPIRY_GRACE_MS, holdStageDeadline, MAX_HOLD_EXPIRY_GRACE_MS } from './hold-expiry';
import { cancelWithRefund, complete, expire } from './intents';

export type { BookingDeadlineStage } from '@txn/contracts';

/**
 * Every saga ends in a terminal state within its timeout. A live booking is always in exactly one
 * stage, each with a deadline fixed when the booking enters it:
 * - HOLD (HELD): `holdExpiresAt + holdExpiryGrace_ms`; the expiry sweeper expires it
 *   (BookingExpired). The grace waits for an authorization made in time but still on its way
 *   (hold-expiry.ts); an authorization is judged against `holdExpiresAt` itself.
 * - CAPTURE (CONFIRMED, capture not recorded): `confirmedAt + capture_ms`; then CANCELLED,
 *   SAGA_DEADLINE_EXCEEDED, full refund (the customer is not at fault; a capture that still lands
 *   is refunded by payment, which remembers the cancellation).
 * - COMPLETION (CONFIRMED, captured): `slot.endsAt + completionGrace_ms`; then COMPLETED,
 *   DELIVERY_PRESUMED (escrow is released after delivery unless someone disputes in time).
 * The stages only move forward, so a timeout that names a stage the booking has left is stale.
 */
export interface DeadlinePolicy {
  /** How long after its hold expires a held booking waits for an authorization made in time. */
  readonly holdExpiryGrace_ms: number;
  /** How long a confirmed booking may wait for its capture to be recorded. */
  readonly capture_ms: number;
  /** How long after the slot ends the merchant has to complete (or someone to dispute). */
  readonly completionGrace_ms: number;
}

export interface SagaDeadline {
  readonly stage: BookingDeadlineStage;
  readonly at: Date;
}

/** What the deadline watcher saw: the stage and its deadline, and when it found it passed. */
export interface DeadlineReached {
  readonly stage: BookingDeadlineStage;
  readonly deadlineAt: Date;
  /** The watcher's time (the command's occurredAt): judged against deadlineAt, not the consumer's clock. */
  readonly reachedAt: Date;
}

const HOUR_MS = 3_600_000;
export const DEFAULT_CAPTURE_DEADLINE_MS = HOUR_MS;
/** Card authorizations lapse after about 7 days (Stripe): a capture cannot succeed after that. */
export const MAX_CAPTURE_DEADLINE_MS = 7 * 24 * HOUR_MS;
/** Marketplaces release escrow a few days after delivery unless the customer disputes. */
export const DEFAULT_COMPLETION_GRACE_MS = 72 * HOUR_MS;
/** Money held in escrow longer than this after delivery is a dispute process, not a grace period. */
export const MAX_COMPLETION_GRACE_MS = 30 * 24 * HOUR_MS;

export const DEFAULT_DEADLINE_POLICY: DeadlinePolicy = {
  holdExpiryGrace_ms: DEFAULT_HOLD_EXPIRY_GRACE_MS,
  capture_ms: DEFAULT_CAPTURE_DEADLINE_MS,
  completionGrace_ms: DEFAULT_COMPLETION_GRACE_MS,
};

/** Reasons a timeout writes into the resulting event. */
export const DEADLINE_REASONS = {
  captureDeadlineExceeded: 'SAGA_DEADLINE_EXCEEDED',
  deliveryPresumed: 'DELIVERY_PRESUMED',
  holdExpired: 'HOLD_EXPIRED',
} as const;

/** In the order a booking goes through them; a terminal booking is past all of them. */
const STAGE_ORDER: readonly BookingDeadlineStage[] = ['HOLD', 'CAPTURE', 'COMPLETION'];

/** The stage a booking is in; null before it is held and once it is terminal. */
export function deadlineStage(booking: Booking): BookingDeadlineStage | null {
  if (booking.status === 'HELD') return 'HOLD';
  if (booking.status === 'CONFIRMED') return booking.capturedAmount === null ? 'CAPTURE' : 'COMPLETION';
  return null;
}

export function assertDeadlinePolicy(policy: DeadlinePolicy): void {
  if (!Number.isSafeInteger(policy.holdExpiryGrace_ms) || policy.holdExpiryGrace_ms < 0 || policy.holdExpiryGrace_ms > MAX_HOLD_EXPIRY_GRACE_MS) {
    throw new RangeError(`hold expiry grace ${policy.holdExpiryGrace_ms} ms is not within 0..${MAX_HOLD_EXPIRY_GRACE_MS}`);
  }
  if (!Number.isSafeInteger(policy.capture_ms) || policy.capture_ms <= 0 || policy.capture_ms > MAX_CAPTURE_DEADLINE_MS) {
    throw new RangeError(`capture deadline ${policy.capture_ms} ms is not within 1..${MAX_CAPTURE_DEADLINE_MS}`);
  }
  if (!Number.isSafeInteger(policy.completionGrace_ms) || policy.completionGrace_ms < 0 || policy.completionGrace_ms > MAX_COMPLETION_GRACE_MS) {
    throw new RangeError(`completion grace ${policy.completionGrace_ms} ms is not within 0..${MAX_COMPLETION_GRACE_MS}`);
  }
}

/** The deadline of the stage the booking is in now; null when it is in none (requested, terminal). */
export function sagaDeadline(booking: Booking, policy: DeadlinePolicy = DEFAULT_DEADLINE_POLICY): SagaDeadline | null {
  assertDeadlinePolicy(policy);
  const stage = deadlineStage(booking);
  switch (stage) {
    case null:
      return null;
    case 'HOLD':
      return { stage, at: holdStageDeadline(booking, policy.holdExpiryGrace_ms) };
    case 'CAPTURE':
      // confirm() always sets it; a confirmed booking without it is a bug, not a state to live with.
      if (booking.confirmedAt === null) throw new Error(`booking ${booking.bookingId}: confirmed without confirmedAt`);
      return { stage, at: new Date(booking.confirmedAt.getTime() + policy.capture_ms) };
    case 'COMPLETION':
      return { stage, at: new Date(booking.slot.endsAt.getTime() + policy.completionGrace_ms) };
  }
}

/**
 * BookingDeadlineReached: push the saga to a terminal state if the booking is still in the stage
 * whose deadline passed; stale if it has moved on meanwhile (captured, completed or cancelled by
 * someone else): the deadline it names no longer applies. Decided by the stage, not by the date:
 * a deadline is fixed when the booking enters a stage, and a booking never re-enters one.
 *
 * "Passed" is judged by `stored`, the deadline kept with the booking, never by the one the command
 * carries: a stale copy or a forged command naming an earlier deadline must not end a saga whose
 * own deadline is still ahead. The watcher copies the stored deadline into every command it writes,
 * so a command naming another one was not written from the booking as it is: refused.
 */
export function onDeadlineReached(booking: Booking, stored: SagaDeadline | null, reached: DeadlineReached, ctx: IntentContext): BookingDecision {
  const stage = deadlineStage(booking);
  if (stage !== reached.stage) {
    if (isTerminalBooking(booking)) return stale(booking, `ALREADY_${booking.status}`);
    if (stage !== null && STAGE_ORDER.indexOf(stage) > STAGE_ORDER.indexOf(reached.stage)) return stale(booking, 'STAGE_PASSED');
    return refused(booking, 'STAGE_NOT_REACHED');
  }
  // Only the platform declares a deadline passed: from a customer or merchant this command would
  // cancel with a full refund or complete without delivery.
  if (ctx.actor.type !== 'SYSTEM') return refused(booking, 'NOT_SYSTEM');
  // The database refuses a live booking without the deadline of its stage: anything else is a bug.
  if (stored === null || stored.stage !== stage) throw new Error(`booking ${booking.bookingId}: in stage ${stage} but its stored deadline is ${stored?.stage ?? 'missing'}`);
  if (reached.deadlineAt.getTime() !== stored.at.getTime()) return refused(booking, 'DEADLINE_MISMATCH', `the command names ${reached.deadlineAt.toISOString()}, the booking's ${stage} deadline is ${stored.at.toISOString()}`);
  if (reached.reachedAt.getTime() < stored.at.getTime()) return refused(booking, 'DEADLINE_NOT_DUE');
  switch (reached.stage) {
    case 'HOLD':
      return expire(booking, ctx, DEADLINE_REASONS.holdExpired);
    case 'CAPTURE': {
      // Everything back: the customer paid and waited; the platform could not finish in time.
      const paid = booking.authorizedAmount ?? money(booking.price.amountMinor, booking.price.currency);
      return cancelWithRefund(booking, DEADLINE_REASONS.captureDeadlineExceeded, paid, ctx);
    }
    case 'COMPLETION':
      // Delivered when the slot ended (the deadline is after that). A consumer whose clock lags
      // behind the slot's end must not refuse that delivery as "in the future".
      return complete(booking, { deliveredAt: booking.slot.endsAt, reason: DEADLINE_REASONS.deliveryPresumed }, { ...ctx, now: maxDate(ctx.now, booking.slot.endsAt) });
  }
}

/**
 * The expiry sweeper: HOLD's timeout, decided where it is found (decision 0013) by the same rule
 * as a BookingDeadlineReached: a held booking expires once its stored HOLD deadline, the hold's
 * expiry plus the grace, has passed at `ctx.now` (refused DEADLINE_NOT_DUE before).
 */
export function expireLapsedHold(booking: Booking, stored: SagaDeadline, ctx: IntentContext): BookingDecision {
  return onDeadlineReached(booking, stored, { stage: 'HOLD', deadlineAt: stored.at, reachedAt: ctx.now }, ctx);
}

function maxDate(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}
