import type { RequestBooking } from '@txn/contracts';
import { isCurrencyCode, money, type Money } from '@txn/money';
import { refused, stale, type IntentContext } from '@txn/domain-kernel';
import { authorityRefusal, NOT_BOOKING_CUSTOMER } from './authority';
import { refundByPolicy, type CancelledBy, type RefundPolicy } from './refund-policy';
import { isTerminalBooking, transition, type Booking, type BookingDecision } from './booking';
import { authorizedWithinHold } from './hold-expiry';
import { DEFAULT_HOLD_POLICY, holdDeadline, type HoldPolicy } from './hold-policy';

/** Machine-readable rejection codes (BookingRejected.rejectionCode). */
export const REJECTION_CODES = {
  slotUnavailable: 'SLOT_UNAVAILABLE',
  invalidSlot: 'INVALID_SLOT',
  slotInPast: 'SLOT_IN_PAST',
  invalidPrice: 'INVALID_PRICE',
  holdAlreadyExpired: 'HOLD_ALREADY_EXPIRED',
  /** A customer asked for a booking in another customer's name. */
  notBookingCustomer: NOT_BOOKING_CUSTOMER,
} as const;
export type RejectionCode = (typeof REJECTION_CODES)[keyof typeof REJECTION_CODES];

export type BookingRequest = Omit<RequestBooking, 'envelope' | 'requestIdempotencyKey'> & { readonly tenantId: string };

/** A received request, not decided yet (REQUESTED, version 0). */
export function requestBooking(request: BookingRequest, now: Date, policy: HoldPolicy = DEFAULT_HOLD_POLICY): Booking {
  return {
    bookingId: request.bookingId,
    tenantId: request.tenantId,
    customerId: request.customerId,
    customerEmail: request.customerEmail,
    slot: request.slot,
    price: request.price,
    status: 'REQUESTED',
    version: 0n,
    holdExpiresAt: holdDeadline(request.holdExpiresAt, now, policy),
    paymentId: null,
    authorizedAmount: null,
    confirmedAt: null,
    capturedAmount: null,
    refundAmount: null,
    deliveredAt: null,
  };
}

/** Why the request cannot be held, whatever the slot's availability; null when it can. */
export function invalidRequest(booking: Booking, now: Date): RejectionCode | null {
  if (booking.slot.endsAt.getTime() <= booking.slot.startsAt.getTime()) return REJECTION_CODES.invalidSlot;
  if (booking.slot.startsAt.getTime() <= now.getTime()) return REJECTION_CODES.slotInPast;
  if (booking.price.amountMinor <= 0n || !isCurrencyCode(booking.price.currency)) return REJECTION_CODES.invalidPrice;
  if (booking.holdExpiresAt.getTime() <= now.getTime()) return REJECTION_CODES.holdAlreadyExpired;
  return null;
}

/** Reserve the slot (the database's exclusion constraint has accepted it). */
export function hold(booking: Booking, ctx: IntentContext): BookingDecision {
  if (booking.status !== 'REQUESTED') return stale(booking, 'ALREADY_DECIDED');
  const notEntitled = authorityRefusal(booking, ctx.actor);
  if (notEntitled !== null) return refused(booking, notEntitled);
  const invalid = invalidRequest(booking, ctx.now);
  if (invalid !== null) return refused(booking, invalid);
  return transition(booking, { ...booking, status: 'HELD' }, ctx, {
    eventType: 'BookingHeld',
    payload: {
      bookingId: booking.bookingId,
      statusBefore: null,
      statusAfter: 'HELD',
      reason: 'REQUESTED',
      customerId: booking.customerId,
      customerEmail: booking.customerEmail,
      slot: booking.slot,
      price: booking.price,
      holdExpiresAt: booking.holdExpiresAt,
    },
  });
}

/** Refuse the request for good (slot taken, invalid request): nothing reserved, nothing charged. */
export function reject(booking: Booking, code: RejectionCode, reason: string, ctx: IntentContext): BookingDecision {
  if (booking.status !== 'REQUESTED') return stale(booking, 'ALREADY_DECIDED');
  return transition(booking, { ...booking, status: 'REJECTED' }, ctx, {
    eventType: 'BookingRejected',
    payload: { bookingId: booking.bookingId, statusBefore: null, statusAfter: 'REJECTED', reason, rejectionCode: code, slot: booking.slot },
  });
}

export interface Authorization {
  readonly paymentId: string;
  readonly authorizedAmount: Money;
  /** When the PSP authorized (else when payment recorded it): judged against the hold, not when booking hears of it. */
  readonly authorizedAt: Date;
}

/** The payment was authorized within the hold (at or before its expiry): confirm. */
export function confirm(booking: Booking, authorization: Authorization, ctx: IntentContext): BookingDecision {
  if (booking.status !== 'HELD') return refused(booking, 'NOT_HELD');
  if (!authorizedWithinHold(booking, authorization.authorizedAt)) return refused(booking, 'AUTHORIZED_AFTER_HOLD_EXPIRED');
  const amount = authorization.authorizedAmount;
  if (amount.currency !== booking.price.currency || amount.amountMinor !== booking.price.amountMinor) return refused(booking, 'AUTHORIZED_AMOUNT_MISMATCH');
  const after: Booking = { ...booking, status: 'CONFIRMED', paymentId: authorization.paymentId, authorizedAmount: amount, confirmedAt: ctx.now };
  return transition(booking, after, ctx, {
    eventType: 'BookingConfirmed',
    payload: { bookingId: booking.bookingId, statusBefore: 'HELD', statusAfter: 'CONFIRMED', reason: 'PAYMENT_AUTHORIZED', paymentId: authorization.paymentId, authorizedAmount: amount },
  });
}

export interface Cancellation {
  readonly reason: string;
  readonly cancelledBy: CancelledBy;
  readonly refundPolicy: RefundPolicy;
  /** The payment, when the booking has not learned it yet (a failed authorization). */
  readonly paymentId?: string | null;
}

/**
 * Cancel and release the slot. Before confirmation nothing is taken (refundAmount null: payment
 * voids). After confirmation the capture is requested or done, so the merchant's policy says what
 * goes back; payment refunds it once the capture has answered (or voids if the capture failed).
 * A customer may cancel only their own booking (authority.ts).
 */
export function cancel(booking: Booking, cancellation: Cancellation, ctx: IntentContext): BookingDecision {
  const notEntitled = authorityRefusal(booking, ctx.actor);
  if (notEntitled !== null) return refused(booking, notEntitled);
  if (booking.status === 'HELD') return cancelWithRefund(booking, cancellation.reason, null, ctx, cancellation.paymentId ?? booking.paymentId);
  if (booking.status === 'CONFIRMED') {
    const refund = refundByPolicy({
      policy: cancellation.refundPolicy,
      // Held bookings passed the currency check: money() cannot throw here.
      paid: booking.authorizedAmount ?? money(booking.price.amountMinor, booking.price.currency),
      slotStartsAt: booking.slot.startsAt,
      cancelledAt: ctx.now,
      cancelledBy: cancellation.cancelledBy,
    });
    return cancelWithRefund(booking, cancellation.reason, refund, ctx, booking.paymentId);
  }
  return refused(booking, booking.status === 'REQUESTED' ? 'NOT_HELD' : `ALREADY_${booking.status}`);
}

/** Cancellation whose refund is decided by the caller (saga compensation: nothing was captured). */
export function cancelWithRefund(booking: Booking, reason: string, refundAmount: Money | null, ctx: IntentContext, paymentId: string | null = booking.paymentId): BookingDecision {
  if (booking.status !== 'HELD' && booking.status !== 'CONFIRMED') return refused(booking, booking.status === 'REQUESTED' ? 'NOT_HELD' : `ALREADY_${booking.status}`);
  const after: Booking = { ...booking, status: 'CANCELLED', paymentId, refundAmount };
  return transition(booking, after, ctx, {
    eventType: 'BookingCancelled',
    payload: { bookingId: booking.bookingId, statusBefore: booking.status, statusAfter: 'CANCELLED', reason, paymentId, refundAmount, slot: booking.slot },
  });
}

/** The hold ran out (the sweeper, or a late authorization proving it). */
export function expire(booking: Booking, ctx: IntentContext, reason = 'HOLD_EXPIRED'): BookingDecision {
  if (booking.status !== 'HELD') return stale(booking, isTerminalBooking(booking) ? `ALREADY_${booking.status}` : 'NOT_HELD');
  if (ctx.now.getTime() < booking.holdExpiresAt.getTime()) return refused(booking, 'HOLD_NOT_DUE');
  return transition(booking, { ...booking, status: 'EXPIRED' }, ctx, {
    eventType: 'BookingExpired',
    payload: { bookingId: booking.bookingId, statusBefore: 'HELD', statusAfter: 'EXPIRED', reason, holdExpiresAt: booking.holdExpiresAt, slot: booking.slot },
  });
}

/**
 * The service was delivered: escrow may go to the merchant. Only once the money was captured, and
 * from a customer only about their own booking (authority.ts): it ends their chance of a refund.
 */
export function complete(booking: Booking, delivery: { readonly deliveredAt: Date; readonly reason: string | null }, ctx: IntentContext): BookingDecision {
  const notEntitled = authorityRefusal(booking, ctx.actor);
  if (notEntitled !== null) return refused(booking, notEntitled);
  if (booking.status !== 'CONFIRMED') return refused(booking, booking.status === 'COMPLETED' ? 'ALREADY_COMPLETED' : 'NOT_CONFIRMED');
  if (booking.capturedAmount === null || booking.paymentId === null) return refused(booking, 'NOT_CAPTURED');
  if (delivery.deliveredAt.getTime() > ctx.now.getTime()) return refused(booking, 'DELIVERED_IN_FUTURE');
  const after: Booking = { ...booking, status: 'COMPLETED', deliveredAt: delivery.deliveredAt };
  return transition(booking, after, ctx, {
    eventType: 'BookingCompleted',
    payload: {
      bookingId: booking.bookingId,
      statusBefore: 'CONFIRMED',
      statusAfter: 'COMPLETED',
      reason: delivery.reason ?? 'SERVICE_DELIVERED',
      paymentId: booking.paymentId,
      deliveredAt: delivery.deliveredAt,
    },
  });
}
