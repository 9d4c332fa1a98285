import type { SqlTransaction } from '@txn/sql';
import { OUTBOX_TABLE } from '../schema';
import type { OutboxRow } from './batch';

/**
 * The relay's statements. Each is a single autocommit statement on the relay's own session: no
 * transaction stays open across a Kafka call.
 */

interface RowRecord {
  id: string;
  event_id: string;
  topic: string;
  message_key: string;
  event_type: string;
  value: Buffer;
  headers: Record<string, string>;
  traceparent: string | null;
  tracestate: string | null;
}

export async function readUnsent(sql: SqlTransaction, limit: number): Promise<OutboxRow[]> {
  const rows = await sql.query<RowRecord>(
    `SELECT id, event_id, topic, message_key, event_type, value, headers, traceparent, tracestate
       FROM ${OUTBOX_TABLE} WHERE sent_at IS NULL ORDER BY id LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    id: r.id,
    eventId: r.event_id,
    topic: r.topic,
    key: r.message_key,
    eventType: r.event_type,
    value: r.value,
    headers: r.headers,
    traceparent: r.traceparent,
    tracestate: r.tracestate,
  }));
}

export async function markSent(sql: SqlTransaction, ids: readonly string[]): Promise<void> {
  await sql.query(`UPDATE ${OUTBOX_TABLE} SET sent_at = now() WHERE id = ANY($1::bigint[]) AND sent_at IS NULL`, [ids]);
}

/** Longest error text kept in `last_error` (Kafka errors can carry long broker lists). */
export const MAX_LAST_ERROR_CHARS = 1_000;

export async function recordFailure(sql: SqlTransaction, ids: readonly string[], error: string): Promise<void> {
  await sql.query(`UPDATE ${OUTBOX_TABLE} SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])`, [
    ids,
    error.slice(0, MAX_LAST_ERROR_CHARS),
  ]);
}

/** Deletes at most `limit` rows sent more than `retention_ms` ago; returns how many. */
export async function deleteSentBefore(sql: SqlTransaction, retention_ms: number, limit: number): Promise<number> {
  const rows = await sql.query(
    `DELETE FROM ${OUTBOX_TABLE} WHERE id IN (
       SELECT id FROM ${OUTBOX_TABLE} WHERE sent_at IS NOT NULL AND sent_at < now() - ($1::bigint * interval '1 millisecond')
        ORDER BY sent_at LIMIT $2)
     RETURNING id`,
    [retention_ms, limit],
  );
  return rows.length;
}

export interface BacklogProbe {
  /** Unsent rows, counted up to `cap` (the gauge saturates there rather than scanning a huge backlog). */
  readonly pendingRows: number;
  /** Age of the oldest unsent row, 0 when there is none. */
  readonly oldestUnsentAge_s: number;
}

export async function probeBacklog(sql: SqlTransaction, cap: number): Promise<BacklogProbe> {
  const [row] = await sql.query<{ pending: string; oldest_age_s: number | null }>(
    `SELECT (SELECT count(*) FROM (SELECT 1 FROM ${OUTBOX_TABLE} WHERE sent_at IS NULL LIMIT $1) AS capped) AS pending,
            (SELECT extract(epoch FROM clock_timestamp() - created_at)::float8
               FROM ${OUTBOX_TABLE} WHERE sent_at IS NULL ORDER BY id LIMIT 1) AS oldest_age_s`,
    [cap],
  );
  return { pendingRows: Number(row?.pending ?? 0), oldestUnsentAge_s: Math.max(0, row?.oldest_age_s ?? 0) };
}
