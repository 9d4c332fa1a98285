import { toJsonValue } from '@txn/audit-domain';
import { EVENT_TYPES, type Envelope, type EventType } from '@txn/contracts';

/** What a merchant's endpoint receives: the event, the object it is about and that object's version. */
export interface WebhookPayload {
  /** The event's id: the same on every attempt and every replay, for the receiver to deduplicate on. */
  readonly id: string;
  readonly type: string;
  readonly createdAt: string;
  readonly merchantId: string;
  /** The aggregate and its version after this event: a receiver drops an update older than one it has. */
  readonly object: { readonly type: string; readonly id: string; readonly version: string };
  /** The event's fields (money as integer minor units in strings); personal data withheld. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** The merchant's own objects on booking.events.v1 that are not bookings. */
const MERCHANT_OBJECTS: Readonly<Partial<Record<EventType, string>>> = { ResourceRegistered: 'resource', RefundPolicySet: 'refund-policy' };

/** What an event is about: a booking, a payment, or one of the merchant's resources or its refund policy. */
export function objectTypeOf(eventType: EventType): string {
  const own = MERCHANT_OBJECTS[eventType];
  if (own !== undefined) return own;
  return EVENT_TYPES[eventType].topic === 'payment.events.v1' ? 'payment' : 'booking';
}

/** The body sent to every endpoint subscribed to the event, built once and kept: each attempt sends the same bytes. */
export function webhookPayload(eventType: EventType, event: { readonly envelope: Envelope } & Readonly<Record<string, unknown>>): WebhookPayload {
  const { envelope, ...fields } = event;
  const data = toJsonValue(fields, new Set(EVENT_TYPES[eventType].sensitiveFields)) as Record<string, unknown>;
  return {
    id: envelope.eventId,
    type: eventType,
    createdAt: envelope.occurredAt.toISOString(),
    merchantId: envelope.tenantId,
    object: { type: objectTypeOf(eventType), id: envelope.aggregateId, version: envelope.aggregateVersion.toString() },
    data,
  };
}
