import {
  cancel,
  complete,
  onPaymentAuthorized,
  onPaymentCaptured,
  onPaymentCaptureFailed,
  onPaymentFailed,
  type Booking,
  type BookingDecision,
} from '@txn/booking-domain';
import type { Actor, CancelBooking, CompleteBooking, Envelope, PaymentAuthorized, PaymentCaptured, PaymentCaptureFailed, PaymentFailed } from '@txn/contracts';
import type { HandlerOutcome } from '@txn/messaging';
import { isCurrencyCode, money } from '@txn/money';
import { DEFAULT_REFUND_POLICY, type CancelledBy, type IntentContext } from '@txn/payment-domain';
import type { SqlTransaction } from '@txn/sql';
import type { BookingDecisions, Cause } from '../decisions';
import { loadBookingForUpdate, refundPolicyOf } from '../../persistence/bookings';

/** Who a command's actor is, for the refund policy: only a customer's own cancellation is subject to it. */
export function cancelledByOf(actor: Actor): CancelledBy {
  if (actor.type === 'USER') return 'CUSTOMER';
  if (actor.type === 'API_KEY') return 'MERCHANT';
  return 'PLATFORM';
}

type Decide = (booking: Booking, ctx: IntentContext) => BookingDecision | { readonly refusedBeforeDomain: string };

/**
 * The shape of every use case on an existing booking: lock the row, check it belongs to the
 * message's tenant, let the domain decide, carry out the decision in the same transaction.
 */
export async function changeBooking(
  tx: SqlTransaction,
  message: { readonly envelope: Envelope; readonly bookingId: string },
  cause: Cause,
  deps: { readonly decisions: BookingDecisions; readonly now: Date; readonly actor: Actor },
  decide: Decide,
): Promise<HandlerOutcome> {
  const { decisions } = deps;
  const booking = await loadBookingForUpdate(tx, message.bookingId);
  // A booking of another merchant is answered like an unknown one: nothing about it leaks.
  if (booking === undefined || booking.tenantId !== message.envelope.tenantId) {
    return decisions.unapplied(tx, { bookingId: message.bookingId, status: null, outcome: 'rejected', reason: 'UNKNOWN_BOOKING' }, cause, cause.eventType);
  }
  const decision = decide(booking, { now: deps.now, actor: deps.actor });
  if ('refusedBeforeDomain' in decision) {
    return decisions.unapplied(tx, { bookingId: booking.bookingId, status: booking.status, outcome: 'rejected', reason: decision.refusedBeforeDomain }, cause, cause.eventType);
  }
  return decisions.settle(tx, decision, { before: booking, cause, messageType: cause.eventType });
}

type Deps = { readonly decisions: BookingDecisions; readonly now: Date; readonly serviceActor: Actor };

export async function onCancelBooking(tx: SqlTransaction, command: CancelBooking, cause: Cause, deps: Deps): Promise<HandlerOutcome> {
  const actor = command.envelope.actor;
  // The terms the customer booked under (fixed at booking; the row lock below is not needed for them).
  const refundPolicy = (await refundPolicyOf(tx, command.bookingId)) ?? DEFAULT_REFUND_POLICY;
  return changeBooking(tx, command, cause, { ...deps, actor }, (booking, ctx) => cancel(booking, { reason: command.reason, cancelledBy: cancelledByOf(actor), refundPolicy }, ctx));
}

export function onCompleteBooking(tx: SqlTransaction, command: CompleteBooking, cause: Cause, deps: Deps): Promise<HandlerOutcome> {
  return changeBooking(tx, command, cause, { ...deps, actor: command.envelope.actor }, (booking, ctx) =>
    complete(booking, { deliveredAt: command.deliveredAt, reason: command.reason }, ctx),
  );
}

export function onAuthorized(tx: SqlTransaction, fact: PaymentAuthorized, cause: Cause, deps: Deps): Promise<HandlerOutcome> {
  return changeBooking(tx, fact, cause, { ...deps, actor: deps.serviceActor }, (booking, ctx) => {
    if (!isCurrencyCode(fact.authorizedAmount.currency)) return { refusedBeforeDomain: 'UNSUPPORTED_CURRENCY' };
    const authorizedAmount = money(fact.authorizedAmount.amountMinor, fact.authorizedAmount.currency);
    // "In time" is judged by when payment recorded the authorization, not by consumer lag.
    return onPaymentAuthorized(booking, { paymentId: fact.paymentId, authorizedAmount, authorizedAt: fact.envelope.occurredAt }, ctx);
  });
}

export function onFailed(tx: SqlTransaction, fact: PaymentFailed, cause: Cause, deps: Deps): Promise<HandlerOutcome> {
  return changeBooking(tx, fact, cause, { ...deps, actor: deps.serviceActor }, (booking, ctx) => onPaymentFailed(booking, { paymentId: fact.paymentId }, ctx));
}

export function onCaptured(tx: SqlTransaction, fact: PaymentCaptured, cause: Cause, deps: Deps): Promise<HandlerOutcome> {
  return changeBooking(tx, fact, cause, { ...deps, actor: deps.serviceActor }, (booking, ctx) => {
    if (!isCurrencyCode(fact.capturedAmount.currency)) return { refusedBeforeDomain: 'UNSUPPORTED_CURRENCY' };
    return onPaymentCaptured(booking, { paymentId: fact.paymentId, capturedAmount: money(fact.capturedAmount.amountMinor, fact.capturedAmount.currency) }, ctx);
  });
}

export function onCaptureFailed(tx: SqlTransaction, fact: PaymentCaptureFailed, cause: Cause, deps: Deps): Promise<HandlerOutcome> {
  return changeBooking(tx, fact, cause, { ...deps, actor: deps.serviceActor }, (booking, ctx) => onPaymentCaptureFailed(booking, { paymentId: fact.paymentId }, ctx));
}
