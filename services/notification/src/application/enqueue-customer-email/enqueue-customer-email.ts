import { uuidV5 } from '@txn/domain-kernel';
import type { BookingCancelled, BookingConfirmed, BookingHeld, Envelope, EventType, PaymentRefunded } from '@txn/contracts';
import type { EmailTemplateName } from '@txn/notification-domain';
import type { SqlTransaction } from '@txn/sql';
import type { NotificationContext } from '../notification-context';
import type { EmailFacts } from '../ports';

/** The namespace of email message ids: UUID v5 of `<event>:<template>`. */
export const EMAIL_NAMESPACE = '9a4d6f21-7e3b-5c08-b1f5-2d8e6a0c4b97';

type CustomerMoment = { readonly template: EmailTemplateName; readonly bookingId: string; readonly facts: EmailFacts };

/** The events a customer hears about, and what each adds to the booking's email. */
function momentOf(eventType: EventType, event: { readonly envelope: Envelope } & Readonly<Record<string, unknown>>): CustomerMoment | undefined {
  switch (eventType) {
    case 'BookingHeld': {
      const held = event as unknown as BookingHeld;
      return { template: 'BOOKING_HELD', bookingId: held.bookingId, facts: { amountMinor: held.price.amountMinor.toString(), currency: held.price.currency } };
    }
    case 'BookingConfirmed': {
      const confirmed = event as unknown as BookingConfirmed;
      return { template: 'BOOKING_CONFIRMED', bookingId: confirmed.bookingId, facts: { amountMinor: confirmed.authorizedAmount.amountMinor.toString(), currency: confirmed.authorizedAmount.currency } };
    }
    case 'BookingCancelled': {
      const cancelled = event as unknown as BookingCancelled;
      return { template: 'BOOKING_CANCELLED', bookingId: cancelled.bookingId, facts: { reason: cancelled.reason } };
    }
    case 'PaymentRefunded': {
      const refunded = event as unknown as PaymentRefunded;
      return { template: 'PAYMENT_REFUNDED', bookingId: refunded.bookingId, facts: { refundedMinor: refunded.refundedAmount.amountMinor.toString(), currency: refunded.refundedAmount.currency, reason: refunded.reason } };
    }
    default:
      return undefined;
  }
}

/**
 * A moment of the customer's booking → one email to send, in the consuming transaction.
 * BookingHeld also keeps the booking's facts (and the address) that every later email is
 * rendered from. A booking that gave no address gets no email; one whose BookingHeld this service
 * has not read yet (a refund read first from its own topic) is queued, and waits for it.
 */
export async function enqueueCustomerEmail(tx: SqlTransaction, eventType: EventType, event: { readonly envelope: Envelope } & Readonly<Record<string, unknown>>, context: NotificationContext): Promise<'applied' | 'stale'> {
  const moment = momentOf(eventType, event);
  if (moment === undefined) return 'stale';
  const { envelope } = event;
  if (eventType === 'BookingHeld') {
    const held = event as unknown as BookingHeld;
    await context.emails.recordBooking(tx, { bookingId: held.bookingId, tenantId: envelope.tenantId, customerId: held.customerId, email: held.customerEmail, resourceId: held.slot.resourceId, slotStart: held.slot.startsAt, slotEnd: held.slot.endsAt, price: { minor: held.price.amountMinor, currency: held.price.currency } });
  }
  if ((await context.emails.addressOf(tx, moment.bookingId)) === 'no-address') return 'stale';
  const queued = await context.emails.enqueue(tx, { messageId: uuidV5(EMAIL_NAMESPACE, `${envelope.eventId}:${moment.template}`), bookingId: moment.bookingId, tenantId: envelope.tenantId, template: moment.template, facts: moment.facts });
  return queued ? 'applied' : 'stale';
}
