import { Inject, Injectable } from '@nestjs/common';
import { TenantTransactions } from '../persistence/tenant-transactions';
import { ProblemException } from '../http/problem';
import { decodeCursor, encodeCursor } from './cursor';

export interface AuditRecordRow {
  readonly chainId: string;
  readonly seq: bigint;
  readonly prevHash: string;
  readonly hash: string;
  readonly sourceEventId: string;
  readonly action: string;
  readonly producer: string;
  readonly sourceTopic: string;
  readonly occurredAt: Date;
  readonly recordedAt: Date;
  readonly actor: { readonly type: string; readonly id: string };
  readonly aggregate: { readonly type: string; readonly id: string; readonly version: bigint };
  readonly statusBefore: string | null;
  readonly statusAfter: string | null;
  readonly reason: string | null;
  readonly changes: Record<string, unknown>;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly traceId: string | null;
}

/** Every filter is optional and they combine (AND); time is when the fact occurred, `[from, to)`. */
export interface AuditRecordFilter {
  readonly aggregateType?: string;
  readonly aggregateId?: string;
  readonly actorType?: string;
  readonly actorId?: string;
  readonly action?: string;
  readonly correlationId?: string;
  readonly from?: Date;
  readonly to?: Date;
}

export interface AuditRecordPage {
  readonly records: AuditRecordRow[];
  readonly nextCursor: string | null;
  /** The chain's last record this read model holds: a record above it has not reached the gateway yet. */
  readonly headSeq: bigint | null;
  readonly lastAppliedAt: Date | null;
}

interface Row {
  merchant_id: string;
  seq: string;
  prev_hash: string;
  hash: string;
  source_event_id: string;
  action: string;
  producer: string;
  source_topic: string;
  occurred_at: Date;
  recorded_at: Date;
  actor_type: string;
  actor_id: string;
  aggregate_type: string;
  aggregate_id: string;
  aggregate_version: string;
  status_before: string | null;
  status_after: string | null;
  reason: string | null;
  changes: Record<string, unknown>;
  correlation_id: string;
  causation_id: string | null;
  trace_id: string | null;
}

// In chain order: a story reads forward, and seq is the order the chain proves.
const LIST_SQL = `
  SELECT * FROM audit_record_views
   WHERE merchant_id = $1 AND seq > $2
     AND ($3::text IS NULL OR aggregate_type = $3) AND ($4::text IS NULL OR aggregate_id = $4)
     AND ($5::text IS NULL OR actor_type = $5) AND ($6::text IS NULL OR actor_id = $6)
     AND ($7::text IS NULL OR action = $7) AND ($8::text IS NULL OR correlation_id = $8)
     AND ($9::timestamptz IS NULL OR occurred_at >= $9) AND ($10::timestamptz IS NULL OR occurred_at < $10)
   ORDER BY seq
   LIMIT $11`;

const HEAD_SQL = `SELECT max(seq) AS seq, max(applied_at) AS at FROM audit_record_views WHERE merchant_id = $1`;

function recordOf(row: Row): AuditRecordRow {
  return {
    chainId: row.merchant_id,
    seq: BigInt(row.seq),
    prevHash: row.prev_hash,
    hash: row.hash,
    sourceEventId: row.source_event_id,
    action: row.action,
    producer: row.producer,
    sourceTopic: row.source_topic,
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
    actor: { type: row.actor_type, id: row.actor_id },
    aggregate: { type: row.aggregate_type, id: row.aggregate_id, version: BigInt(row.aggregate_version) },
    statusBefore: row.status_before,
    statusAfter: row.status_after,
    reason: row.reason,
    changes: row.changes,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    traceId: row.trace_id,
  };
}

function seqAfter(cursor: string | undefined): string {
  if (cursor === undefined) return '0';
  const { id } = decodeCursor(cursor);
  if (!/^[1-9][0-9]{0,18}$/.test(id)) throw ProblemException.of('validation-failed', 'The cursor is not one this API gave out.');
  return id;
}

/** One tenant's audit chain as auditors read it, filtered, in chain order, with cursor pages (row-level security scopes it too). */
@Injectable()
export class AuditRecords {
  constructor(@Inject(TenantTransactions) private readonly transactions: TenantTransactions) {}

  list(tenantId: string, filter: AuditRecordFilter, limit: number, cursor: string | undefined): Promise<AuditRecordPage> {
    const after = seqAfter(cursor);
    const parameters = [tenantId, after, filter.aggregateType ?? null, filter.aggregateId ?? null, filter.actorType ?? null, filter.actorId ?? null, filter.action ?? null, filter.correlationId ?? null, filter.from ?? null, filter.to ?? null, limit + 1];
    return this.transactions.run({ kind: 'tenant', tenantId }, async (manager) => {
      const rows = (await manager.query(LIST_SQL, parameters)) as Row[];
      const [head] = (await manager.query(HEAD_SQL, [tenantId])) as { seq: string | null; at: Date | null }[];
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        records: page.map(recordOf),
        nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ at: last.recorded_at, id: last.seq }) : null,
        headSeq: head?.seq === null || head?.seq === undefined ? null : BigInt(head.seq),
        lastAppliedAt: head?.at ?? null,
      };
    });
  }
}
