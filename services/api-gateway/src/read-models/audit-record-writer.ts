import type { AuditRecorded } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import { SCOPE_TRANSACTION_SQL, scopeParameters } from '../persistence/tenant-transactions';
import type { ProjectionOutcome, RecordPosition } from './event-facts';

/**
 * AuditRecorded → the auditors' read model: inserted once per place in a chain. The record's
 * event id is derived from that place, so a redelivery or a second publication is `stale`.
 */
export async function insertAuditRecord(tx: SqlTransaction, event: AuditRecorded, position: RecordPosition | null): Promise<ProjectionOutcome> {
  await tx.query(SCOPE_TRANSACTION_SQL, scopeParameters({ kind: 'tenant', tenantId: event.chainId }));
  const inserted = await tx.query(
    `INSERT INTO audit_record_views (merchant_id, seq, prev_hash, hash, source_event_id, action, producer, source_topic, occurred_at, recorded_at, actor_type, actor_id,
       aggregate_type, aggregate_id, aggregate_version, status_before, status_after, reason, changes, correlation_id, causation_id, trace_id, topic, "partition", "offset")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19::jsonb, $20, $21, $22, $23, $24, $25)
     ON CONFLICT (merchant_id, seq) DO NOTHING RETURNING 1`,
    [
      event.chainId, event.seq.toString(), event.prevHash, event.hash, event.sourceEventId, event.action, event.producer, event.sourceTopic, event.occurredAt, event.recordedAt, event.actorType, event.actorId,
      event.aggregateType, event.aggregateId, event.aggregateVersion.toString(), event.statusBefore, event.statusAfter, event.reason, event.changes, event.correlationId, event.causationId, event.traceId,
      position?.topic ?? null, position?.partition ?? null, position?.offset ?? null,
    ],
  );
  return inserted.length === 0 ? 'stale' : 'applied';
}
