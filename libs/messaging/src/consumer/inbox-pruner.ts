import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { inTransaction, type SqlTransaction } from '@txn/sql';
import { INBOX_TABLE } from './inbox';

/**
 * An inbox row only matters while a redelivery of its event can still arrive. Kafka keeps
 * records 7 days (deploy/kafka-topics.json), so a consumer rewound to the earliest offset sees
 * events up to 7 days old: below 8 days a row could go before its last possible redelivery.
 * Dead-letter replays re-publish events older than that, hence the 30-day default.
 */
export const MIN_INBOX_RETENTION_DAYS = 8;
export const MAX_INBOX_RETENTION_DAYS = 365;
export const DEFAULT_INBOX_RETENTION_DAYS = 30;
/** Rows deleted per statement: each batch is its own short transaction, holding few row locks. */
export const INBOX_PRUNE_BATCH_SIZE = 1_000;
/** A prune runs at most once per this long (the first one an interval after start, not at start). */
export const INBOX_PRUNE_INTERVAL_MS = 60_000;
/** Batches per prune: bounds one prune's work (50 000 rows) while a first prune catches up on a backlog. */
export const MAX_INBOX_PRUNE_BATCHES = 50;

const DAY_MS = 24 * 60 * 60 * 1_000;

/** The retention in ms; throws on a value outside [MIN, MAX] days (a configuration bug). */
export function inboxRetention_ms(retentionDays: number): number {
  if (!Number.isInteger(retentionDays) || retentionDays < MIN_INBOX_RETENTION_DAYS || retentionDays > MAX_INBOX_RETENTION_DAYS) {
    throw new Error(`inbox retention must be an integer of ${MIN_INBOX_RETENTION_DAYS}..${MAX_INBOX_RETENTION_DAYS} days, got ${retentionDays}`);
  }
  return retentionDays * DAY_MS;
}

/**
 * Deletes up to `limit` rows handled longer than `retention_ms` ago, of any consumer group in
 * this database; returns how many. By key through the primary key. SKIP LOCKED: several
 * instances of a service prune disjoint rows instead of waiting on each other. No ORDER BY:
 * there is no index on handled_at (one more index write per handled message would pay for
 * a once-a-minute job), and without ordering the scan stops at the `limit`-th due row.
 */
export async function pruneInboxBatch(tx: SqlTransaction, retention_ms: number, limit: number): Promise<number> {
  const rows = await tx.query<{ event_id: string }>(
    `DELETE FROM ${INBOX_TABLE} AS i
      USING (SELECT consumer_group, event_id FROM ${INBOX_TABLE}
              WHERE handled_at < now() - ($1::bigint * interval '1 millisecond')
              LIMIT $2 FOR UPDATE SKIP LOCKED) AS due
      WHERE i.consumer_group = due.consumer_group AND i.event_id = due.event_id
     RETURNING i.event_id`,
    [retention_ms, limit],
  );
  return rows.length;
}

export interface InboxPrunerOptions {
  /** The service's database; the pruner borrows one connection per batch. */
  readonly pool: Pool;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly retentionDays: number;
  readonly batchSize?: number;
  readonly maxBatches?: number;
  readonly interval_ms?: number;
}

/** What one prune did. `complete`: the last batch was not full, so no due row was left behind. */
export interface InboxPrune {
  readonly deleted: number;
  readonly batches: number;
  readonly complete: boolean;
}

function bounded(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`inbox pruner: ${name} must be an integer within [${min}, ${max}], got ${value}`);
  return value;
}

function prunedRowsCounter(registry: Registry): Counter {
  const name = 'messaging_inbox_pruned_rows_total';
  const existing = registry.getSingleMetric(name);
  if (existing !== undefined) return existing as Counter;
  return new Counter({ name, help: 'Inbox (dedup) rows deleted after the retention period', registers: [registry] });
}

/** Deletes inbox rows past retention, in bounded batches, at most once per interval. */
export class InboxPruner {
  readonly retention_ms: number;
  private readonly batchSize: number;
  private readonly maxBatches: number;
  private readonly interval_ms: number;
  private readonly prunedRows: Counter;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private started = false;
  /** Set by stop(): a prune in progress ends after its current batch. */
  private cancelled = false;

  constructor(private readonly options: InboxPrunerOptions) {
    this.retention_ms = inboxRetention_ms(options.retentionDays);
    this.batchSize = bounded('batchSize', options.batchSize ?? INBOX_PRUNE_BATCH_SIZE, 1, 10_000);
    this.maxBatches = bounded('maxBatches', options.maxBatches ?? MAX_INBOX_PRUNE_BATCHES, 1, 1_000);
    this.interval_ms = bounded('interval_ms', options.interval_ms ?? INBOX_PRUNE_INTERVAL_MS, 1, DAY_MS);
    this.prunedRows = prunedRowsCounter(options.registry);
  }

  /** Prunes every interval until stop(); a failed prune is logged and tried again next interval. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.cancelled = false;
    this.schedule();
  }

  /** Cancels the next prune and waits for one in progress to end its current batch. */
  async stop(): Promise<void> {
    this.started = false;
    this.cancelled = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One prune: batches until one is not full or `maxBatches` ran. Throws on a database failure. */
  async runOnce(): Promise<InboxPrune> {
    let deleted = 0;
    let batches = 0;
    let complete = false;
    while (batches < this.maxBatches && !complete && !this.cancelled) {
      const batch = await inTransaction(this.options.pool, (tx) => pruneInboxBatch(tx, this.retention_ms, this.batchSize));
      batches += 1;
      deleted += batch;
      this.prunedRows.inc(batch);
      complete = batch < this.batchSize;
    }
    if (deleted > 0) this.options.logger.info({ deleted, batches, complete, retention_days: this.options.retentionDays }, 'inbox rows past retention pruned');
    return { deleted, batches, complete };
  }

  private schedule(): void {
    if (!this.started) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((error: unknown) => this.options.logger.warn({ errorClass: (error as Error).name, error: (error as Error).message }, 'inbox prune failed; next try in one interval'))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.interval_ms);
    // A pending prune must not keep the process alive on its own.
    this.timer.unref();
  }
}
