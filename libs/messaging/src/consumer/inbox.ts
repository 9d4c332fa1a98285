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
 * Rows are never updated after commit. `handled_at` (the claim's commit time, near enough) is what
 * the pruner (inbox-pruner.ts) measures retention on: rows past it go, which makes the dedup a window.
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
 * Claims a whole sub-batch in one statement: returns the event ids this transaction claimed.
 * An event id already in the inbox (or repeated within the batch) is not returned: a duplicate.
 * One statement per batch instead of one per message is where the consumer's throughput comes from.
 * A concurrent transaction inserting the same key (another member during a rebalance) makes this
 * wait for that transaction's end; if it committed, the row is a duplicate here.
 */
export async function claimInboxEntries(tx: SqlTransaction, consumerGroup: string, entries: readonly Omit<InboxEntry, 'consumerGroup'>[]): Promise<Set<string>> {
  if (entries.length === 0) return new Set();
  const rows = await tx.query<{ event_id: string }>(
    `INSERT INTO ${INBOX_TABLE} (consumer_group, event_id, event_type, topic, "partition", "offset")
     SELECT $1, e.event_id, e.event_type, e.topic, e.part, e.off
       FROM unnest($2::uuid[], $3::text[], $4::text[], $5::integer[], $6::bigint[]) AS e(event_id, event_type, topic, part, off)
     ON CONFLICT (consumer_group, event_id) DO NOTHING
     RETURNING event_id`,
    [
      consumerGroup,
      entries.map((e) => e.eventId),
      entries.map((e) => e.eventType),
      entries.map((e) => e.topic),
      entries.map((e) => e.partition),
      entries.map((e) => e.offset),
    ],
  );
  return new Set(rows.map((row) => row.event_id));
}

/** Records the handlers' outcomes of a sub-batch in one statement. */
export async function recordInboxOutcomes(tx: SqlTransaction, consumerGroup: string, outcomes: readonly { eventId: string; outcome: HandlerOutcome }[]): Promise<void> {
  if (outcomes.length === 0) return;
  await tx.query(
    `UPDATE ${INBOX_TABLE} AS i SET outcome = o.outcome
       FROM unnest($2::uuid[], $3::text[]) AS o(event_id, outcome)
      WHERE i.consumer_group = $1 AND i.event_id = o.event_id`,
    [consumerGroup, outcomes.map((o) => o.eventId), outcomes.map((o) => o.outcome)],
  );
}
