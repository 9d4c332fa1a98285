import type { AuditRecord, JsonObject } from '@txn/audit-domain';

/** An audit_records row as pg returns it (bigint as text, timestamptz as Date). */
export interface AuditRecordRow {
  readonly record_id: string;
  readonly chain_id: string;
  readonly seq: string;
  readonly prev_hash: string;
  readonly hash: string;
  readonly event_id: string;
  readonly action: string;
  readonly producer: string;
  readonly source_topic: string;
  readonly source_partition: number;
  readonly source_offset: string;
  readonly occurred_at: Date;
  readonly recorded_at: Date;
  readonly tenant_id: string;
  readonly actor_type: string;
  readonly actor_id: string;
  readonly aggregate_type: string;
  readonly aggregate_id: string;
  readonly aggregate_version: string;
  readonly status_before: string | null;
  readonly status_after: string | null;
  readonly reason: string | null;
  readonly changes: JsonObject;
  readonly correlation_id: string;
  readonly causation_id: string | null;
  readonly trace_id: string | null;
}

/** What a record's INSERT writes, in insertParameters' order (record_id is the database's). */
export const AUDIT_RECORD_INSERT_COLUMNS = [
  'chain_id', 'seq', 'prev_hash', 'hash', 'event_id', 'action', 'producer', 'source_topic', 'source_partition', 'source_offset', 'occurred_at', 'recorded_at', 'tenant_id',
  'actor_type', 'actor_id', 'aggregate_type', 'aggregate_id', 'aggregate_version', 'status_before', 'status_after', 'reason', 'changes', 'correlation_id', 'causation_id', 'trace_id',
] as const;

/** Every column of a row, as AuditRecordRow reads it. */
export const AUDIT_RECORD_COLUMNS = ['record_id', ...AUDIT_RECORD_INSERT_COLUMNS].join(', ');

/** A row back to the record that was hashed: the same JSON values, so the hash can be recomputed. */
export function recordOf(row: AuditRecordRow): AuditRecord {
  return {
    chainId: row.chain_id,
    seq: Number(row.seq),
    prevHash: row.prev_hash,
    hash: row.hash,
    facts: {
      eventId: row.event_id,
      action: row.action,
      producer: row.producer,
      source: { topic: row.source_topic, partition: row.source_partition, offset: row.source_offset },
      occurredAt: row.occurred_at.toISOString(),
      recordedAt: row.recorded_at.toISOString(),
      tenantId: row.tenant_id,
      actor: { type: row.actor_type, id: row.actor_id },
      aggregate: { type: row.aggregate_type, id: row.aggregate_id, version: row.aggregate_version },
      statusBefore: row.status_before,
      statusAfter: row.status_after,
      reason: row.reason,
      changes: row.changes,
      correlationId: row.correlation_id,
      causationId: row.causation_id,
      traceId: row.trace_id,
    },
  };
}

/** A record as the parameters of its INSERT, in AUDIT_RECORD_INSERT_COLUMNS' order. */
export function insertParameters(record: AuditRecord): unknown[] {
  const { facts } = record;
  return [
    record.chainId,
    record.seq,
    record.prevHash,
    record.hash,
    facts.eventId,
    facts.action,
    facts.producer,
    facts.source.topic,
    facts.source.partition,
    facts.source.offset,
    facts.occurredAt,
    facts.recordedAt,
    facts.tenantId,
    facts.actor.type,
    facts.actor.id,
    facts.aggregate.type,
    facts.aggregate.id,
    facts.aggregate.version,
    facts.statusBefore,
    facts.statusAfter,
    facts.reason,
    JSON.stringify(facts.changes),
    facts.correlationId,
    facts.causationId,
    facts.traceId,
  ];
}
