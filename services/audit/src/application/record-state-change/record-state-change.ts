import { appendToChain, stateChangeOf, type AuditFacts } from '@txn/audit-domain';
import { EVENT_TYPES, type Envelope } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import { AUDITED_EVENTS, type AuditedEventType } from '../audited-events';
import type { AuditTrail, RecordAnnouncer } from '../ports';

/** One consumed event and where it was read. */
export interface AuditedMessage {
  readonly eventType: AuditedEventType;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly value: { readonly envelope: Envelope } & Readonly<Record<string, unknown>>;
  /** The trace the consumer continued (from the message's traceparent), when there is one. */
  readonly traceId: string | null;
}

export interface RecordStateChangeDependencies {
  readonly trail: AuditTrail;
  readonly announcer: RecordAnnouncer;
  readonly clock: () => Date;
}

/** What the record says: who, when, what, before and after, why — from the event alone. */
export function auditFactsOf(message: AuditedMessage, recordedAt: Date): AuditFacts {
  const { envelope } = message.value;
  const kind = AUDITED_EVENTS[message.eventType];
  const change = stateChangeOf(message.value, EVENT_TYPES[message.eventType].sensitiveFields, kind.implied);
  return {
    eventId: envelope.eventId,
    action: message.eventType,
    producer: envelope.producer,
    source: { topic: message.topic, partition: message.partition, offset: message.offset },
    occurredAt: envelope.occurredAt.toISOString(),
    recordedAt: recordedAt.toISOString(),
    tenantId: envelope.tenantId,
    actor: { type: envelope.actor.type, id: envelope.actor.id },
    aggregate: { type: kind.aggregateType, id: envelope.aggregateId, version: envelope.aggregateVersion.toString() },
    ...change,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    traceId: message.traceId,
  };
}

/**
 * Every audited event becomes one record at the end of its tenant's chain. The chain is locked
 * first, so the head read is the last committed record and the new one links to it whatever
 * instance or partition wrote that. The inbox drops a redelivery; the event-id constraint drops
 * the same fact read again by another consumer group (`stale`, nothing appended). An appended
 * record is announced in the same transaction, so the gateway's copy never misses or invents one.
 */
export async function recordStateChange(tx: SqlTransaction, message: AuditedMessage, dependencies: RecordStateChangeDependencies): Promise<'applied' | 'stale'> {
  const chainId = message.value.envelope.tenantId;
  await dependencies.trail.lockChain(tx, chainId);
  const head = await dependencies.trail.head(tx, chainId);
  const record = appendToChain(chainId, head, auditFactsOf(message, dependencies.clock()));
  const written = await dependencies.trail.append(tx, record);
  if (written === 'already-recorded') return 'stale';
  await dependencies.announcer.announce(tx, record);
  return 'applied';
}
