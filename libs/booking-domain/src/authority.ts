import type { Actor } from '@txn/contracts';
import type { Booking } from './booking';

/** The refusal when an actor may not give a command about a booking (Refused.refused, BookingRejected.rejectionCode). */
export const NOT_BOOKING_CUSTOMER = 'NOT_BOOKING_CUSTOMER';

/**
 * Who may give a command about a booking: the envelope's actor, as the edge authenticated it.
 * A booking of another merchant is answered like an unknown one before this (the envelope's
 * tenant), so this decides who within the merchant:
 * - USER: a customer, about their own booking only (the actor's id is the booking's customerId).
 * - API_KEY: the merchant, about any of its bookings.
 * - SERVICE, SYSTEM: the platform (its services, its timers, the tools its staff use), about any.
 * Staff are never USERs: a staff member acting as a USER could only act as a customer.
 * Checked before anything else, so an actor who may not act learns nothing of the booking's state.
 */
export function authorityRefusal(booking: Pick<Booking, 'customerId'>, actor: Actor): typeof NOT_BOOKING_CUSTOMER | null {
  if (actor.type === 'USER' && actor.id !== booking.customerId) return NOT_BOOKING_CUSTOMER;
  return null;
}
