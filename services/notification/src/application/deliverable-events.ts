import { TOPIC_EVENT_TYPES, type EventType } from '@txn/contracts';

/** What a merchant's endpoint may subscribe to: every booking and payment event (the gateway's rule, decision 0033). */
export const DELIVERABLE_EVENT_TYPES: readonly EventType[] = [...TOPIC_EVENT_TYPES['booking.events.v1'], ...TOPIC_EVENT_TYPES['payment.events.v1']];

export const DELIVERED_TOPICS = ['booking.events.v1', 'payment.events.v1', 'security.events.v1', 'customer.keys.v1'] as const;

export function isDeliverableEventType(eventType: string): eventType is EventType {
  return (DELIVERABLE_EVENT_TYPES as readonly string[]).includes(eventType);
}
