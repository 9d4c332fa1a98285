export const BOOKING_VIEW_STATUSES = ['REQUESTED', 'HELD', 'REJECTED', 'CONFIRMED', 'CANCELLED', 'EXPIRED', 'COMPLETED'] as const;
export type BookingViewStatus = (typeof BOOKING_VIEW_STATUSES)[number];
/** No event moves a booking out of these. */
export const TERMINAL_BOOKING_STATUSES: ReadonlySet<string> = new Set(['REJECTED', 'CANCELLED', 'EXPIRED', 'COMPLETED']);

export const PAYMENT_VIEW_STATUSES = ['PENDING', 'REQUIRES_ACTION', 'AUTHORIZED', 'FAILED', 'OUTCOME_UNKNOWN', 'CAPTURED', 'CAPTURE_FAILED', 'VOIDED', 'PARTIALLY_REFUNDED', 'REFUNDED'] as const;
/** No event moves a payment out of these (a captured payment can still be refunded). */
export const TERMINAL_PAYMENT_STATUSES: ReadonlySet<string> = new Set(['FAILED', 'VOIDED', 'REFUNDED', 'CAPTURE_FAILED']);
