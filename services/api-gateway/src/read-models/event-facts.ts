import type { Envelope } from '@txn/contracts';

/** Where a consumed record sat in Kafka: what a read can name as the position it reflects. */
export interface RecordPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** What a read-model row keeps of the last event applied to it (decision 0025). */
export interface EventFacts {
  readonly merchantId: string;
  readonly aggregateId: string;
  readonly version: bigint;
  readonly eventId: string;
  readonly eventType: string;
  readonly occurredAt: Date;
  readonly position: RecordPosition | null;
}

export function eventFacts(envelope: Envelope, position: RecordPosition | null): EventFacts {
  return {
    merchantId: envelope.tenantId,
    aggregateId: envelope.aggregateId,
    version: envelope.aggregateVersion,
    eventId: envelope.eventId,
    eventType: envelope.eventType,
    occurredAt: envelope.occurredAt,
    position,
  };
}

/** A read model's outcome for the inbox: a stale or duplicate event changes nothing. */
export type ProjectionOutcome = 'applied' | 'stale';
