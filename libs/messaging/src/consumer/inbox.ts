import type { SqlTransaction } from '@txn/sql';

/** What a handler decided about a message it saw for the first time. */
export type HandlerOutcome = 'applied' | 'stale' | 'rejected';
/** Every outcome the runtime reports: the handler's, or the runtime's own. */
export type MessageOutcome = HandlerOutcome | 'duplicate' | 'dead_lettered';

export const HANDLER_OUTCOMES: readonly HandlerOutcome[] = ['applied', 'stale', 'rejected'];

export const INBOX_TABLE = 'inbox';

/**
 * The inbox: one row per (consumer group, event id) handled. Its primary key is the whole dedup
 * mechanism: a redelivered or replayed event finds its row and is not applied again. The row is
 * written in the handler's transaction, so it exists exactly when the handler's effects do.
 * Rows are never updated after commit; pruning old rows (a dedup window) is a separate job.
 */
const INBOX_DDL = `
CREATE TABLE IF NOT EXISTS ${INBOX_TABLE} (
  consumer_group text        NOT NULL,
  event_id       uuid        NOT NULL,
  event_type     text        NOT NULL,
  topic          text        NOT NULL,
  "partition"    integer     NOT NULL,
  "offset"       bigint      NOT NULL,
  outcome        text        CHECK (outcome IN ('applied', 'stale', 'rejected')),
  handled_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, event_id)
)`;

/** Any fixed number: serialises concurrent first starts of several members (CREATE … IF NOT EXISTS races). */
const INBOX_DDL_LOCK_KEY = 7_007_001;

/** Creates the inbox table if missing; idempotent and safe when several members start at once. */
export async function ensureInboxSchema(tx: SqlTransaction): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [INBOX_DDL_LOCK_KEY]);
  await tx.query(INBOX_DDL);
}

export interface InboxEntry {
  readonly consumerGroup: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * Inserts the inbox row; false when it already exists (a duplicate). A concurrent transaction
 * holding the same key (another member during a rebalance) makes this wait for its end, and
 * then answer false if it committed.
 */
export async function claimInboxEntry(tx: SqlTransaction, entry: InboxEntry): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO ${INBOX_TABLE} (consumer_group, event_id, event_type, topic, "partition", "offset")
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (consumer_group, event_id) DO NOTHING
     RETURNING 1 AS claimed`,
    [entry.consumerGroup, entry.eventId, entry.eventType, entry.topic, entry.partition, entry.offset],
  );
  return rows.length === 1;
}

export async function recordInboxOutcome(tx: SqlTransaction, consumerGroup: string, eventId: string, outcome: HandlerOutcome): Promise<void> {
  await tx.query(`UPDATE ${INBOX_TABLE} SET outcome = $3 WHERE consumer_group = $1 AND event_id = $2`, [consumerGroup, eventId, outcome]);
}
