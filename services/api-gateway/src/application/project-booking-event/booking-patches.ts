import type { BookingCancelled, BookingCompleted, BookingConfirmed, BookingExpired, BookingHeld, BookingRejected, Slot } from '@txn/contracts';
import type { Patch } from '../../read-models/upsert-view';

/** The booking.events.v1 types the read model follows (every type the topic carries). */
export type BookingEvent = BookingHeld | BookingRejected | BookingConfirmed | BookingCancelled | BookingExpired | BookingCompleted;

function slotColumns(slot: Slot): Patch {
  return { resource_id: slot.resourceId, starts_at: slot.startsAt, ends_at: slot.endsAt };
}

/** A field an event may leave null is only written when it says something (a null never erases what an earlier event told). */
function when<T>(value: T | null, columns: (value: T) => Patch): Patch {
  return value === null ? {} : columns(value);
}

/** What each booking event changes on its row: its new status, reason and the fields it carries. */
export const BOOKING_PATCHES = {
  BookingHeld: (event: BookingHeld): Patch => ({
    ...slotColumns(event.slot),
    price_minor: event.price.amountMinor,
    currency: event.price.currency,
    customer_id: event.customerId,
    hold_expires_at: event.holdExpiresAt,
  }),
  BookingRejected: (event: BookingRejected): Patch => ({ ...slotColumns(event.slot), rejection_code: event.rejectionCode }),
  BookingConfirmed: (event: BookingConfirmed): Patch => ({ payment_id: event.paymentId, authorized_minor: event.authorizedAmount.amountMinor }),
  BookingCancelled: (event: BookingCancelled): Patch => ({
    ...slotColumns(event.slot),
    ...when(event.paymentId, (paymentId) => ({ payment_id: paymentId })),
    ...when(event.refundAmount, (refund) => ({ refund_minor: refund.amountMinor })),
  }),
  BookingExpired: (event: BookingExpired): Patch => ({ ...slotColumns(event.slot), hold_expires_at: event.holdExpiresAt }),
  BookingCompleted: (event: BookingCompleted): Patch => ({ payment_id: event.paymentId, delivered_at: event.deliveredAt }),
} as const;

export function bookingPatch<E extends BookingEvent>(event: E, fields: (event: E) => Patch): Patch {
  return { status: event.statusAfter, reason: event.reason, ...fields(event) };
}
