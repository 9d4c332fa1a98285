import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { ClientConfig } from 'pg';
import pino, { type Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { RecordPublisher } from '@txn/messaging';
import { restoreTraceContext, traceHeaders } from '../trace-context';
import { publishBackoff_ms, PUBLISH_BACKOFF_BASE_MS, PUBLISH_BACKOFF_MAX_MS } from './backoff';
import { takeWithinBytes, toRecord, type OutboxRow } from './batch';
import { createRelayMetrics, type RelayMetrics } from './metrics';
import { openSession, type RelaySession } from './session';
import { Sleeper } from './sleeper';
import { deleteSentBefore, markSent, probeBacklog, readUnsent, recordFailure } from './store';

/** Rows read and published per iteration: one Kafka round trip and one UPDATE per this many rows. */
export const MAX_BATCH_SIZE = 500;
/**
 * Bytes of record values per batch. kafkajs puts a partition's records of one send into one
 * record batch, which the broker refuses above message.max.bytes (1 MiB by default); with every
 * row on one partition the batch must still fit, with room for headers and keys.
 */
export const MAX_BATCH_BYTES = 768 * 1024;
/** Wait between scans when the outbox was empty (NOTIFY, when used, ends it early). */
export const IDLE_POLL_MS = 100;
/** How often a standby tries the lock: bounds the take-over delay after the leader's session ends. */
export const STANDBY_RETRY_MS = 1_000;
/** Sent rows are kept this long (debugging, replay by hand), then deleted. */
export const SENT_RETENTION_MS = 24 * 60 * 60 * 1_000;
/** Rows deleted per cleanup statement; cleanup runs at most once per CLEANUP_INTERVAL_MS. */
export const CLEANUP_BATCH_SIZE = 1_000;
export const CLEANUP_INTERVAL_MS = 5_000;
/** The pending-rows gauge counts up to this many; beyond it the alarm is on anyway. */
export const PENDING_COUNT_CAP = 100_000;
export const METRICS_REFRESH_INTERVAL_MS = 1_000;
/**
 * PostgreSQL ends the relay's session after this long without a statement, so a relay that hangs
 * without dying frees the lock. Above the backoff ceiling plus a publish's worst case.
 */
export const IDLE_SESSION_TIMEOUT_MS = 120_000;
/**
 * Advisory lock key ("outbox" in ASCII). Advisory locks are per database, and each service has
 * its own database; services sharing one must pass distinct `lockKey`s.
 */
export const OUTBOX_RELAY_LOCK_KEY = String(0x6f7574626f78);

export interface OutboxRelayOptions {
  /** The service's database; the relay opens one dedicated session with it. */
  readonly database: ClientConfig;
  /** Owned by the caller: the relay never closes it. */
  readonly publisher: RecordPublisher;
  readonly registry: Registry;
  /** Shown in pg_stat_activity (`outbox-relay:<name>`) and logs. */
  readonly name?: string;
  readonly logger?: Logger;
  readonly lockKey?: string;
  readonly maxBatchSize?: number;
  readonly maxBatchBytes?: number;
  readonly idlePoll_ms?: number;
  readonly standbyRetry_ms?: number;
  readonly retention_ms?: number;
  readonly cleanupInterval_ms?: number;
  readonly metricsRefreshInterval_ms?: number;
  readonly statementTimeout_ms?: number;
  readonly idleSessionTimeout_ms?: number;
  readonly backoff?: { readonly base_ms: number; readonly max_ms: number };
  /** [0, 1); Math.random unless a test fixes it. */
  readonly random?: () => number;
  /**
   * Fault injection for crash tests: called after Kafka acknowledged a batch and before it is
   * marked sent. A throw there behaves like the process dying at that point: the session (and
   * the lock) is dropped and the rows stay unsent.
   */
  readonly faults?: { readonly afterPublish?: (rows: readonly OutboxRow[]) => void | Promise<void> };
}

/** What one iteration did: `sent` | `retried` (publish failed, rows stay) | `idle` | `standby`. */
export interface RelayIteration {
  readonly outcome: 'sent' | 'retried' | 'idle' | 'standby';
  readonly published: number;
  readonly failed: number;
  readonly deleted: number;
  /** The batch filled MAX_BATCH_SIZE: more rows are probably waiting. */
  readonly full: boolean;
  readonly error?: string;
}

function bounded(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`outbox relay: ${name} must be within [${min}, ${max}], got ${value}`);
  return value;
}

/**
 * Publishes outbox rows to Kafka in id order, one batch in flight, while holding the service's
 * relay advisory lock; other instances stand by. See docs/decisions/0008-outbox-relay.md.
 */
export class OutboxRelay {
  private readonly logger: Logger;
  private readonly metrics: RelayMetrics;
  private readonly maxBatchSize: number;
  private readonly maxBatchBytes: number;
  private readonly idlePoll_ms: number;
  private readonly standbyRetry_ms: number;
  private readonly retention_ms: number;
  private readonly cleanupInterval_ms: number;
  private readonly metricsRefreshInterval_ms: number;
  private readonly backoff: { readonly base_ms: number; readonly max_ms: number };
  private readonly lockKey: string;
  private readonly idleSessionTimeout_ms: number;
  private readonly random: () => number;
  private readonly sleeper = new Sleeper();

  private session: RelaySession | undefined;
  private leader = false;
  private consecutiveFailures = 0;
  private lastCleanupAt_ms = 0;
  private lastMetricsAt_ms = 0;
  private running = false;
  private loopDone: Promise<void> | undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    this.logger = options.logger ?? pino({ name: 'outbox-relay' });
    this.metrics = createRelayMetrics(options.registry);
    this.maxBatchSize = bounded('maxBatchSize', options.maxBatchSize ?? MAX_BATCH_SIZE, 1, 10_000);
    this.maxBatchBytes = bounded('maxBatchBytes', options.maxBatchBytes ?? MAX_BATCH_BYTES, 1, 64 * 1024 * 1024);
    this.idlePoll_ms = bounded('idlePoll_ms', options.idlePoll_ms ?? IDLE_POLL_MS, 1, 1_000);
    this.standbyRetry_ms = bounded('standbyRetry_ms', options.standbyRetry_ms ?? STANDBY_RETRY_MS, 10, 30_000);
    this.retention_ms = bounded('retention_ms', options.retention_ms ?? SENT_RETENTION_MS, 0, 90 * 24 * 3_600_000);
    this.cleanupInterval_ms = bounded('cleanupInterval_ms', options.cleanupInterval_ms ?? CLEANUP_INTERVAL_MS, 0, 3_600_000);
    this.metricsRefreshInterval_ms = bounded('metricsRefreshInterval_ms', options.metricsRefreshInterval_ms ?? METRICS_REFRESH_INTERVAL_MS, 0, 60_000);
    this.backoff = options.backoff ?? { base_ms: PUBLISH_BACKOFF_BASE_MS, max_ms: PUBLISH_BACKOFF_MAX_MS };
    this.lockKey = options.lockKey ?? OUTBOX_RELAY_LOCK_KEY;
    this.random = options.random ?? Math.random;
    this.idleSessionTimeout_ms = bounded('idleSessionTimeout_ms', options.idleSessionTimeout_ms ?? IDLE_SESSION_TIMEOUT_MS, 1_000, 3_600_000);
    // The session is idle during a backoff wait; PostgreSQL must not end it then.
    if (this.idleSessionTimeout_ms <= this.backoff.max_ms + this.standbyRetry_ms) {
      throw new Error('outbox relay: idleSessionTimeout_ms must exceed the backoff ceiling plus standbyRetry_ms');
    }
  }

  /** True while this instance holds the lock (as far as it knows: a dead session is found on its next statement). */
  isLeader(): boolean {
    return this.leader && this.session?.isLost() === false;
  }

  /** Runs the loop in the background until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Ends the loop, then closes the session, which releases the lock to a standby. */
  async stop(): Promise<void> {
    this.running = false;
    this.sleeper.cancel();
    await this.loopDone;
    this.loopDone = undefined;
    await this.dropSession();
  }

  /**
   * One iteration: take the lock if free, publish one batch, mark it sent, clean up, refresh
   * metrics. Never sleeps (the loop does). Throws on a database failure or an injected fault,
   * after dropping the session (and so the lock).
   */
  async runOnce(): Promise<RelayIteration> {
    try {
      return await this.iterate();
    } catch (error) {
      await this.dropSession();
      throw error;
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let wait_ms: number;
      let interruptible = false;
      try {
        const iteration = await this.runOnce();
        if (iteration.outcome === 'sent') {
          wait_ms = 0;
        } else if (iteration.outcome === 'idle') {
          wait_ms = this.idlePoll_ms;
          interruptible = true;
        } else if (iteration.outcome === 'standby') {
          wait_ms = this.standbyRetry_ms;
        } else {
          wait_ms = publishBackoff_ms(this.consecutiveFailures, this.random(), this.backoff);
          this.logger.warn({ failures: this.consecutiveFailures, wait_ms, error: iteration.error }, 'outbox publish failed; rows stay pending');
        }
      } catch (error) {
        this.consecutiveFailures += 1;
        wait_ms = Math.max(this.standbyRetry_ms, publishBackoff_ms(this.consecutiveFailures, this.random(), this.backoff));
        this.logger.error({ err: error, wait_ms }, 'outbox relay iteration failed; session dropped');
      }
      if (this.running) await this.sleeper.sleep(wait_ms, interruptible);
    }
  }

  private async iterate(): Promise<RelayIteration> {
    const session = await this.currentSession();
    if (!this.leader) {
      this.leader = await session.tryLock(this.lockKey);
      this.metrics.leader.set(this.leader ? 1 : 0);
      if (this.leader) this.logger.info({ relay: this.options.name }, 'outbox relay took the lock: publishing');
    }
    if (!this.leader) {
      await this.refreshMetrics(session, false);
      return { outcome: 'standby', published: 0, failed: 0, deleted: 0, full: false };
    }

    const read = await readUnsent(session.sql, this.maxBatchSize);
    const batch = takeWithinBytes(read, this.maxBatchBytes);
    if (batch.length === 0) {
      const deleted = await this.cleanup(session);
      await this.refreshMetrics(session, false);
      return { outcome: 'idle', published: 0, failed: 0, deleted, full: false };
    }

    const failure = await this.publish(batch);
    const ids = batch.map((row) => row.id);
    if (failure !== undefined) {
      await recordFailure(session.sql, ids, failure);
      this.consecutiveFailures += 1;
      this.metrics.failedBatches.inc();
      await this.refreshMetrics(session, true);
      return { outcome: 'retried', published: 0, failed: batch.length, deleted: 0, full: false, error: failure };
    }
    await this.options.faults?.afterPublish?.(batch);
    await markSent(session.sql, ids);
    this.consecutiveFailures = 0;
    this.metrics.publishedBatches.inc();
    this.metrics.publishedRecords.inc(batch.length);
    const deleted = await this.cleanup(session);
    await this.refreshMetrics(session, false);
    return { outcome: 'sent', published: batch.length, failed: 0, deleted, full: read.length === this.maxBatchSize };
  }

  /** Publishes one batch under a `publish <topic>` span per record; returns the error text on failure. */
  private async publish(batch: readonly OutboxRow[]): Promise<string | undefined> {
    const tracer = trace.getTracer('@txn/outbox');
    const spans: Span[] = batch.map((row) =>
      tracer.startSpan(
        `publish ${row.topic}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.operation.type': 'send',
            'messaging.destination.name': row.topic,
            'messaging.message.id': row.eventId,
            'messaging.kafka.message.key': row.key,
            'messaging.batch.message_count': batch.length,
          },
        },
        restoreTraceContext(row),
      ),
    );
    // The consumer's span continues from the publish span, which continues from the writer's.
    const records = batch.map((row, index) => toRecord(row, traceHeaders(trace.setSpan(ROOT_CONTEXT, spans[index] as Span))));
    const stopTimer = this.metrics.publishDuration.startTimer();
    try {
      await this.options.publisher.publish(records);
      stopTimer();
      for (const span of spans) span.end();
      return undefined;
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      for (const span of spans) {
        span.recordException(error instanceof Error ? error : message);
        span.setStatus({ code: SpanStatusCode.ERROR, message });
        span.end();
      }
      return message;
    }
  }

  private async cleanup(session: RelaySession): Promise<number> {
    const now_ms = Date.now();
    if (now_ms - this.lastCleanupAt_ms < this.cleanupInterval_ms) return 0;
    const deleted = await deleteSentBefore(session.sql, this.retention_ms, CLEANUP_BATCH_SIZE);
    // A full delete means more is due: leave the timer so the next iteration continues.
    if (deleted < CLEANUP_BATCH_SIZE) this.lastCleanupAt_ms = now_ms;
    this.metrics.deletedRows.inc(deleted);
    return deleted;
  }

  private async refreshMetrics(session: RelaySession, force: boolean): Promise<void> {
    const now_ms = Date.now();
    if (!force && now_ms - this.lastMetricsAt_ms < this.metricsRefreshInterval_ms) return;
    this.lastMetricsAt_ms = now_ms;
    const backlog = await probeBacklog(session.sql, PENDING_COUNT_CAP);
    this.metrics.pendingRows.set(backlog.pendingRows);
    this.metrics.oldestUnsentAge.set(backlog.oldestUnsentAge_s);
  }

  private async currentSession(): Promise<RelaySession> {
    if (this.session !== undefined && !this.session.isLost()) return this.session;
    await this.dropSession();
    this.session = await openSession(
      {
        database: this.options.database,
        applicationName: `outbox-relay:${this.options.name ?? 'default'}`.slice(0, 63),
        connectTimeout_ms: 5_000,
        statementTimeout_ms: this.options.statementTimeout_ms ?? 10_000,
        idleSessionTimeout_ms: this.idleSessionTimeout_ms,
      },
      {
        onNotify: () => this.sleeper.wake(),
        onLost: (error) => {
          this.leader = false;
          this.metrics.leader.set(0);
          this.logger.warn({ err: error, relay: this.options.name }, 'outbox relay session lost; lock released');
          // Wake a waiting loop so it reconnects (and competes for the lock) without delay.
          this.sleeper.wake();
        },
      },
    );
    return this.session;
  }

  private async dropSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    this.leader = false;
    this.metrics.leader.set(0);
    await session?.close();
  }
}
