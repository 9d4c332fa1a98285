import type { SqlTransaction } from '@txn/sql';
import { SCOPE_TRANSACTION_SQL, scopeParameters } from '../persistence/tenant-transactions';
import { changeKey, READ_MODEL_CHANNEL, type ViewKind } from './changes-channel';
import type { EventFacts, ProjectionOutcome } from './event-facts';

/** A column's new value; bigints travel as decimal text (pg has no bigint parameter type of its own). */
export type Patch = Readonly<Record<string, string | number | Date | bigint | null>>;

/** The views whose rows follow their aggregate's version (a refund's row counts its own changes: refund-writer.ts). */
type VersionedViewKind = Exclude<ViewKind, 'refund'>;

const TABLES: Readonly<Record<VersionedViewKind, { readonly table: string; readonly key: string }>> = {
  booking: { table: 'booking_views', key: 'booking_id' },
  payment: { table: 'payment_views', key: 'payment_id' },
};

const COLUMN = /^[a-z_]+$/;

function parameter(value: Patch[string]): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * Applies one event to its row, in the inbox's transaction, scoped to the event's tenant: inserted
 * if new, else updated only when the event's aggregateVersion is above the row's (Kafka orders
 * one aggregate's events, but a redelivered or replayed old one must change nothing). The row then
 * names the event it reflects, and the commit NOTIFYs the waiting requests of every instance.
 */
export async function upsertView(tx: SqlTransaction, kind: VersionedViewKind, facts: EventFacts, patch: Patch): Promise<ProjectionOutcome> {
  const { table, key } = TABLES[kind];
  await tx.query(SCOPE_TRANSACTION_SQL, scopeParameters({ kind: 'tenant', tenantId: facts.merchantId }));
  const row: Patch = {
    ...patch,
    merchant_id: facts.merchantId,
    [key]: facts.aggregateId,
    version: facts.version,
    last_event_id: facts.eventId,
    last_event_type: facts.eventType,
    last_event_at: facts.occurredAt,
    last_topic: facts.position?.topic ?? null,
    last_partition: facts.position?.partition ?? null,
    last_offset: facts.position?.offset ?? null,
    created_at: facts.occurredAt,
    updated_at: facts.occurredAt,
  };
  const columns = Object.keys(row);
  for (const column of columns) if (!COLUMN.test(column)) throw new Error(`not a column name: ${column}`);
  const updated = columns.filter((column) => column !== 'merchant_id' && column !== key && column !== 'created_at');
  const applied = await tx.query<{ version: string }>(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_c, i) => `$${i + 1}`).join(', ')})
     ON CONFLICT (merchant_id, ${key}) DO UPDATE SET ${updated.map((column) => `${column} = EXCLUDED.${column}`).join(', ')}, applied_at = now()
     WHERE ${table}.version < EXCLUDED.version
     RETURNING version`,
    columns.map((column) => parameter(row[column] ?? null)),
  );
  if (applied.length === 0) return 'stale';
  await tx.query('SELECT pg_notify($1, $2)', [READ_MODEL_CHANNEL, `${changeKey(kind, facts.merchantId, facts.aggregateId)}|${facts.version}`]);
  return 'applied';
}
