import { randomUUID } from 'node:crypto';
import type { BookingEvent } from '@txn/booking-domain';
import { BookingCancelled, BookingCompleted, BookingConfirmed, BookingExpired, BookingHeld, BookingRejected, type Envelope } from '@txn/contracts';
import type { PendingEvent } from '@txn/nest-messaging';

const CONTRACTS = { BookingHeld, BookingRejected, BookingConfirmed, BookingCancelled, BookingExpired, BookingCompleted } as const;

export interface EnvelopeFacts {
  readonly producer: string;
  readonly tenantId: string;
  /** The consumed message that caused the decision; null for the sweeper's own decisions. */
  readonly causationId: string | null;
}

/**
 * A domain event as the contract's record: the envelope built here (fresh event id, the booking
 * as aggregate and saga id, the cause), version, time and actor from the decision.
 */
export function toPendingEvent(event: BookingEvent, bookingId: string, facts: EnvelopeFacts): PendingEvent {
  const envelope: Envelope = {
    eventId: randomUUID(),
    eventType: event.eventType,
    occurredAt: event.occurredAt,
    producer: facts.producer,
    aggregateId: bookingId,
    aggregateVersion: event.aggregateVersion,
    correlationId: bookingId,
    causationId: facts.causationId,
    actor: event.actor,
    tenantId: facts.tenantId,
  };
  return { contract: CONTRACTS[event.eventType], event: { envelope, ...event.payload } } as PendingEvent;
}
