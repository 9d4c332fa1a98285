import { randomUUID } from 'node:crypto';
import type { BookingEvent } from '@txn/booking-domain';
import {
  BookingCancelled,
  BookingCompleted,
  BookingConfirmed,
  BookingDeadlineReached,
  BookingExpired,
  BookingHeld,
  BookingRejected,
  type Actor,
  type Envelope,
} from '@txn/contracts';
import type { PendingEvent } from '@txn/nest-messaging';
import type { DueDeadline } from '../persistence/bookings';

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

/**
 * BookingDeadlineReached, the timeout as a command to booking itself: on booking.commands.v1,
 * keyed by the booking (after any command for it already written), version = the one the watcher
 * saw, no cause (the clock is the cause).
 */
export function deadlineReachedCommand(passed: DueDeadline, facts: { readonly producer: string; readonly actor: Actor; readonly now: Date }): PendingEvent {
  const envelope: Envelope = {
    eventId: randomUUID(),
    eventType: BookingDeadlineReached.eventType,
    occurredAt: facts.now,
    producer: facts.producer,
    aggregateId: passed.bookingId,
    aggregateVersion: passed.version,
    correlationId: passed.bookingId,
    causationId: null,
    actor: facts.actor,
    tenantId: passed.tenantId,
  };
  const command: BookingDeadlineReached = { envelope, bookingId: passed.bookingId, stage: passed.stage, deadlineAt: passed.deadlineAt, statusSeen: passed.status };
  return { contract: BookingDeadlineReached, event: command } as PendingEvent;
}
