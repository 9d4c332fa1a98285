import type { SqlTransaction } from '@txn/sql';

/** The table every service's outbox lives in (in the service's own database and search_path). */
export const OUTBOX_TABLE = 'outbox';

/**
 * Idempotent DDL, run inside the caller's transaction (migration step or start-up).
 *
 * - `id` (bigserial) is the relay's publishing order. It is assigned at INSERT, not at COMMIT, so
 *   a lower id can become visible after a higher one: the relay therefore scans `sent_at IS NULL`
 *   every time and never keeps a high-water mark that would skip such a late row.
 * - `value` is the already-encoded Confluent wire-format record value; the outbox knows no Avro.
 * - The partial index keeps the relay's scan (`WHERE sent_at IS NULL ORDER BY id LIMIT n`) and the
 *   oldest-unsent probe proportional to the backlog, not to the table.
 * - The second partial index serves retention (`sent_at < now() - retention`).
 */
export const OUTBOX_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS ${OUTBOX_TABLE} (
     id           bigserial   PRIMARY KEY,
     event_id     uuid        NOT NULL UNIQUE,
     topic        text        NOT NULL,
     message_key  text        NOT NULL,
     event_type   text        NOT NULL,
     value        bytea       NOT NULL,
     headers      jsonb       NOT NULL DEFAULT '{}'::jsonb,
     traceparent  text        NULL,
     tracestate   text        NULL,
     created_at   timestamptz NOT NULL DEFAULT now(),
     sent_at      timestamptz NULL,
     attempts     integer     NOT NULL DEFAULT 0,
     last_error   text        NULL
   )`,
  `CREATE INDEX IF NOT EXISTS ${OUTBOX_TABLE}_unsent_idx ON ${OUTBOX_TABLE} (id) WHERE sent_at IS NULL`,
  `CREATE INDEX IF NOT EXISTS ${OUTBOX_TABLE}_sent_at_idx ON ${OUTBOX_TABLE} (sent_at) WHERE sent_at IS NOT NULL`,
];

export async function ensureOutboxSchema(tx: SqlTransaction): Promise<void> {
  for (const statement of OUTBOX_DDL) await tx.query(statement);
}
