import { randomUUID } from 'node:crypto';
import { EVENT_TYPES, type Envelope } from '@txn/contracts';
import type { DomainEvent } from '@txn/domain-kernel';
import type { PendingEvent } from '../event-publisher';

/** What an event's envelope takes from the decision's context rather than from the event. */
export interface EnvelopeFacts {
  /** The service that writes it. */
  readonly producer: string;
  readonly tenantId: string;
  /** The saga. */
  readonly correlationId: string;
  /** The event that caused the decision; null when a timer did. */
  readonly causationId: string | null;
}

/** A domain event names an event type no generated contract has: a bug in the domain. */
export class UnknownEventTypeError extends Error {
  constructor(eventType: string) {
    super(`no generated contract has the event type ${JSON.stringify(eventType)}`);
    this.name = 'UnknownEventTypeError';
  }
}

/**
 * A domain event as the generated contract's record: the envelope built here (a fresh event id
 * unless the decision named one; aggregate, version, time and actor from the event; tenant, saga
 * and cause from the decision's context), the payload as the domain made it.
 */
export function toPendingEvent(event: DomainEvent, facts: EnvelopeFacts): PendingEvent {
  const contract = (EVENT_TYPES as Readonly<Record<string, PendingEvent['contract']>>)[event.eventType];
  if (contract === undefined) throw new UnknownEventTypeError(event.eventType);
  const envelope: Envelope = {
    eventId: event.eventId ?? randomUUID(),
    eventType: event.eventType,
    occurredAt: event.occurredAt,
    producer: facts.producer,
    aggregateId: event.aggregateId,
    aggregateVersion: event.aggregateVersion,
    correlationId: facts.correlationId,
    causationId: facts.causationId,
    actor: event.actor,
    tenantId: facts.tenantId,
  };
  return { contract, event: { envelope, ...(event.payload as object) } };
}
