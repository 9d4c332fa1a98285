import { randomUUID } from 'node:crypto';
import { EntryPosted, EscrowReleased, HoldPlaced, HoldPosted, HoldVoided, LedgerRejected, type Actor, type Envelope } from '@txn/contracts';
import type { PendingEvent } from '@txn/nest-messaging';
import type { LedgerEventDraft } from '../application/ledger-events';

const CONTRACTS = { HoldPlaced, HoldPosted, HoldVoided, EntryPosted, EscrowReleased, LedgerRejected } as const;

/** What the envelope of an event the ledger emits takes from its cause. */
export interface EnvelopeFacts {
  readonly producer: string;
  readonly actor: Actor;
  /** The consumed event's (the saga's), or the booking's for the sweeper's own decisions. */
  readonly correlationId: string;
  readonly tenantId: string;
  /** The consumed event's id; null for the sweeper's own decisions. */
  readonly causationId: string | null;
  readonly occurredAt: Date;
  /** Default: a new id. The sweeper passes the id it already stored as the hold's closing event. */
  readonly eventId?: string;
}

/** A handler's draft as the contract's record: the envelope built here, the payload as drafted. */
export function toPendingEvent(draft: LedgerEventDraft, facts: EnvelopeFacts): PendingEvent {
  const envelope: Envelope = {
    eventId: facts.eventId ?? randomUUID(),
    eventType: draft.eventType,
    occurredAt: facts.occurredAt,
    producer: facts.producer,
    aggregateId: draft.aggregateId,
    aggregateVersion: draft.aggregateVersion,
    correlationId: facts.correlationId,
    causationId: facts.causationId,
    actor: facts.actor,
    tenantId: facts.tenantId,
  };
  return { contract: CONTRACTS[draft.eventType], event: { envelope, ...draft.payload } } as PendingEvent;
}
