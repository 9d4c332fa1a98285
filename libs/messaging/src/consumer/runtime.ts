import { setTimeout as sleep } from 'node:timers/promises';
import { context, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { fromPgClient, type SqlTransaction } from '@txn/sql';
import type { AvroCodec, ReaderSchemaFor } from '../avro/codec';
import { SchemaRegistryUnavailableError } from '../avro/errors';
import type { BatchControl, ConsumedRecord, ConsumerTransport, PartitionBatch, RawRecord } from '../ports';
import { extractTraceContext, headerText } from '../tracing';
import { consumerMetrics } from './consumer-metrics';
import { deadLetterRecord, deadLetterTopicSpec, DEAD_LETTER_RETENTION_MS, errorClassOf } from './dead-letter';
import { envelopeIdsOf, type EnvelopeIds } from './envelope';
import { claimInboxEntries, HANDLER_OUTCOMES, INBOX_TABLE, recordInboxOutcomes, type HandlerOutcome, type MessageOutcome } from './inbox';
import { backoffDelay_ms, checkRetryPolicy, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';

/**
 * Messages applied in one PostgreSQL transaction. One commit per message caps a consumer near the
 * disk's commit rate (≈2,500/s here); 500 amortises the commit while keeping a rolled-back
 * sub-batch (which is then re-applied one message at a time) cheap to redo.
 */
export const MAX_BATCH_SIZE = 500;
/** Bound on any one statement of an inbox transaction (handler statements included). */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;
/** Longest sleep between heartbeats while waiting to retry (well under the session timeout). */
const HEARTBEAT_SLICE_MS = 1_000;

/** A decoded message as a handler sees it. `value` has the reader's shape. */
export interface InboxMessage<T = unknown> extends EnvelopeIds {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly writerSchemaId: number;
  readonly value: T;
}

/**
 * Business logic only: apply the message through `tx` (the inbox transaction; write outbox rows
 * through it too) and say what happened. Throw only for failures worth retrying or parking.
 */
export type MessageHandler<T = unknown> = (tx: SqlTransaction, message: InboxMessage<T>) => Promise<HandlerOutcome>;

/** Seams for fault-injection tests. */
export interface InboxConsumerHooks {
  /** Runs after the inbox transaction committed and before the offset commit; throwing here is a crash between the two. */
  readonly beforeOffsetCommit?: (at: { topic: string; partition: number; nextOffset: string }) => Promise<void> | void;
}

export interface InboxConsumerOptions<T = unknown> {
  readonly consumerGroup: string;
  /** The topics the transport subscribes to: each gets its dead-letter topic at start. */
  readonly topics: readonly string[];
  readonly transport: ConsumerTransport;
  readonly codec: Pick<AvroCodec, 'decode'>;
  readonly readerSchemaFor: ReaderSchemaFor;
  readonly pool: Pool;
  readonly handler: MessageHandler<T>;
  /**
   * Whether `handler` takes messages of this event type (default: every type). A message of a type
   * it does not take has no effect, so there is nothing to deduplicate: it is acknowledged without
   * a transaction or an inbox row, its offset committed in order with the rest of its batch.
   */
  readonly handles?: (eventType: string) => boolean;
  /** Called for each message acknowledged without effect because `handles` refused its type. */
  readonly onIgnored?: (message: InboxMessage) => void;
  readonly logger: Logger;
  /** Where the consumer's metrics are registered (not the global registry). */
  readonly metrics: Registry;
  readonly retry?: RetryPolicy;
  readonly maxBatchSize?: number;
  readonly statementTimeout_ms?: number;
  readonly deadLetterRetention_ms?: number;
  readonly random?: () => number;
  readonly now?: () => Date;
  readonly hooks?: InboxConsumerHooks;
}

export interface InboxConsumer {
  /** Creates the dead-letter topics, checks the inbox table, joins the group. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The database could not even start a transaction: not the message's fault, never parked. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

interface DecodedItem {
  readonly kind: 'decoded';
  readonly record: ConsumedRecord;
  readonly message: InboxMessage;
}
interface UndecodableItem {
  readonly kind: 'undecodable';
  readonly record: ConsumedRecord;
  readonly error: unknown;
}
/** Decoded, of a type the handler does not take: acknowledged without touching the database. */
interface IgnoredItem {
  readonly kind: 'ignored';
  readonly record: ConsumedRecord;
  readonly message: InboxMessage;
}
type Item = DecodedItem | UndecodableItem | IgnoredItem;

interface Applied {
  readonly item: DecodedItem;
  readonly outcome: HandlerOutcome | 'duplicate';
  readonly duration_ms: number;
  readonly traceId: string;
}

function nextOffsetOf(record: ConsumedRecord): string {
  return (BigInt(record.offset) + 1n).toString();
}

/**
 * The consuming side of the backbone: decode → inbox dedup → handler, one transaction per
 * sub-batch, offset commit after the transaction, in-place retries, dead letters.
 */
export function createInboxConsumer<T = unknown>(options: InboxConsumerOptions<T>): InboxConsumer {
  const retry = checkRetryPolicy(options.retry ?? DEFAULT_RETRY_POLICY);
  const maxBatchSize = options.maxBatchSize ?? MAX_BATCH_SIZE;
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1 || maxBatchSize > MAX_BATCH_SIZE) {
    throw new Error(`maxBatchSize must be an integer in 1..${MAX_BATCH_SIZE}, got ${maxBatchSize}`);
  }
  const statementTimeout_ms = options.statementTimeout_ms ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  if (!Number.isInteger(statementTimeout_ms) || statementTimeout_ms < 1) throw new Error(`statementTimeout_ms must be a positive integer, got ${statementTimeout_ms}`);
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => new Date());
  const group = options.consumerGroup;
  const metrics = consumerMetrics(options.metrics, group);
  const tracer = trace.getTracer('@txn/messaging');
  const logger = options.logger.child({ consumerGroup: group });
  const handler = options.handler as MessageHandler;
  const handles = options.handles ?? (() => true);

  async function inTransaction<R>(work: (tx: SqlTransaction) => Promise<R>): Promise<R> {
    let client: PoolClient | undefined;
    try {
      client = await options.pool.connect();
      // One round trip for both: a multi-statement simple query runs them in order, the SET
      // inside the transaction the BEGIN opened (statementTimeout_ms is a checked integer).
      await client.query(`BEGIN; SET LOCAL statement_timeout = ${statementTimeout_ms}`);
    } catch (error) {
      client?.release(true);
      throw new DatabaseUnavailableError(`could not start an inbox transaction: ${(error as Error).message}`, { cause: error });
    }
    try {
      const result = await work(fromPgClient(client));
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      const rolledBack = await client.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      // A connection whose ROLLBACK failed is in an unknown state: destroy it.
      client.release(rolledBack ? undefined : true);
      throw error;
    }
  }

  async function pause(delay_ms: number, control: BatchControl): Promise<boolean> {
    let remaining_ms = delay_ms;
    while (remaining_ms > 0) {
      const slice_ms = Math.min(remaining_ms, HEARTBEAT_SLICE_MS);
      await sleep(slice_ms);
      remaining_ms -= slice_ms;
      if (!control.isRunning() || control.isStale()) return false;
      await control.heartbeat();
    }
    return control.isRunning() && !control.isStale();
  }

  function recordFields(record: ConsumedRecord): Record<string, unknown> {
    return { topic: record.topic, partition: record.partition, offset: record.offset };
  }

  function messageFields(message: InboxMessage): Record<string, unknown> {
    return { eventId: message.eventId, eventType: message.eventType, correlationId: message.correlationId };
  }

  function reportApplied(applied: Applied): void {
    metrics.outcome(applied.item.record.topic, applied.outcome, applied.duration_ms);
    logger.info(
      { ...recordFields(applied.item.record), ...messageFields(applied.item.message), traceId: applied.traceId, outcome: applied.outcome, duration_ms: Math.round(applied.duration_ms * 1000) / 1000 },
      'message handled',
    );
  }

  function reportIgnored(item: IgnoredItem): void {
    options.onIgnored?.(item.message);
    logger.debug({ ...recordFields(item.record), ...messageFields(item.message) }, 'message ignored: no handler takes its event type');
  }

  function reportDeadLettered(item: DecodedItem | UndecodableItem, error: unknown, attempts: number): void {
    metrics.outcome(item.record.topic, 'dead_lettered' satisfies MessageOutcome);
    const ids = item.kind === 'decoded' ? messageFields(item.message) : { eventId: headerText(item.record.headers, 'event-id') };
    const traceId = headerText(item.record.headers, 'traceparent')?.split('-')[1];
    logger.warn({ ...recordFields(item.record), ...ids, traceId, outcome: 'dead_lettered', attempts, errorClass: errorClassOf(error) }, 'message dead-lettered');
  }

  async function decodeRecord(record: ConsumedRecord, control: BatchControl): Promise<Item | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const decoded = await options.codec.decode(record.value, options.readerSchemaFor);
        const ids = envelopeIdsOf(decoded.value, record.headers, decoded.eventType);
        const message: InboxMessage = {
          ...ids,
          topic: record.topic,
          partition: record.partition,
          offset: record.offset,
          key: record.key === null ? null : record.key.toString('utf8'),
          writerSchemaId: decoded.writerSchemaId,
          value: decoded.value,
        };
        return { kind: handles(message.eventType) ? 'decoded' : 'ignored', record, message };
      } catch (error) {
        if (!(error instanceof SchemaRegistryUnavailableError)) return { kind: 'undecodable', record, error };
        // The registry, not the message, is at fault: wait, then give up the batch uncommitted
        // (the client restarts from the committed offset); never park a message for it.
        logger.warn({ ...recordFields(record), attempt, errorClass: error.name }, 'schema registry unavailable while decoding');
        if (attempt >= retry.maxAttempts) throw error;
        if (!(await pause(backoffDelay_ms(retry, attempt, random), control))) return undefined;
      }
    }
  }

  async function applyOne(tx: SqlTransaction, item: DecodedItem, claimed: boolean, spans: Span[]): Promise<Applied> {
    const { record, message } = item;
    const parent = extractTraceContext(record.headers);
    const span = tracer.startSpan(
      `handle ${record.topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': record.topic,
          'messaging.destination.partition.id': String(record.partition),
          'messaging.kafka.offset': Number(record.offset),
          'messaging.consumer.group.name': group,
          'messaging.message.id': message.eventId,
          'txn.event_type': message.eventType,
        },
      },
      parent,
    );
    spans.push(span);
    const started_ms = performance.now();
    try {
      return await context.with(trace.setSpan(parent, span), async () => {
        let outcome: HandlerOutcome | 'duplicate' = 'duplicate';
        if (claimed) {
          outcome = await handler(tx, message);
          if (!HANDLER_OUTCOMES.includes(outcome)) throw new Error(`handler returned ${JSON.stringify(outcome)}; expected one of ${HANDLER_OUTCOMES.join(', ')}`);
        }
        span.setAttribute('txn.outcome', outcome);
        return { item, outcome, duration_ms: performance.now() - started_ms, traceId: span.spanContext().traceId };
      });
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorClassOf(error) });
      throw error;
    }
  }

  /** Applies `items` in one transaction; every span ends, marked when the transaction rolled back. */
  async function applyInTransaction(items: readonly DecodedItem[]): Promise<Applied[]> {
    const spans: Span[] = [];
    try {
      const applied = await inTransaction(async (tx) => {
        const claimedIds = await claimInboxEntries(
          tx,
          group,
          items.map(({ record, message }) => ({
            eventId: message.eventId,
            eventType: message.eventType,
            topic: record.topic,
            partition: record.partition,
            offset: record.offset,
          })),
        );
        const results: Applied[] = [];
        for (const item of items) {
          // An event id twice in one batch (a relay duplicate next to its original) is claimed once.
          const claimed = claimedIds.delete(item.message.eventId);
          results.push(await applyOne(tx, item, claimed, spans));
        }
        await recordInboxOutcomes(
          tx,
          group,
          results.flatMap((r) => (r.outcome === 'duplicate' ? [] : [{ eventId: r.item.message.eventId, outcome: r.outcome }])),
        );
        return results;
      });
      spans.forEach((span) => span.end());
      return applied;
    } catch (error) {
      for (const span of spans) {
        span.setAttribute('txn.transaction_rolled_back', true);
        span.end();
      }
      throw error;
    }
  }

  async function park(records: readonly RawRecord[]): Promise<void> {
    // A failed publish throws out of the batch uncommitted: the message is redelivered, never lost.
    await options.transport.publishRaw(records);
  }

  async function commitAfter(record: ConsumedRecord, control: BatchControl): Promise<void> {
    const nextOffset = nextOffsetOf(record);
    await options.hooks?.beforeOffsetCommit?.({ topic: record.topic, partition: record.partition, nextOffset });
    await control.commit(nextOffset);
  }

  async function parkUndecodable(items: readonly UndecodableItem[]): Promise<void> {
    if (items.length === 0) return;
    const at = now();
    await park(items.map((item) => deadLetterRecord(item.record, group, { reason: 'undecodable', attempts: 1, firstFailureAt: at, lastFailureAt: at, error: item.error })));
    items.forEach((item) => reportDeadLettered(item, item.error, 1));
  }

  /** In-place retries of one message; false when the batch was abandoned (stop or rebalance). */
  async function applyWithRetries(item: DecodedItem, control: BatchControl): Promise<boolean> {
    let firstFailureAt: Date | undefined;
    for (let attempt = 1; attempt <= retry.maxAttempts; attempt += 1) {
      try {
        const [applied] = await applyInTransaction([item]);
        if (applied !== undefined) reportApplied(applied);
        return true;
      } catch (error) {
        if (error instanceof DatabaseUnavailableError) throw error;
        const failedAt = now();
        firstFailureAt ??= failedAt;
        metrics.handlerFailure(item.record.topic, errorClassOf(error));
        logger.warn(
          { ...recordFields(item.record), ...messageFields(item.message), attempt, maxAttempts: retry.maxAttempts, errorClass: errorClassOf(error) },
          'message handling failed',
        );
        if (attempt >= retry.maxAttempts) {
          await park([deadLetterRecord(item.record, group, { reason: 'handler-failed', attempts: attempt, firstFailureAt, lastFailureAt: failedAt, error })]);
          reportDeadLettered(item, error, attempt);
          return true;
        }
        if (!(await pause(backoffDelay_ms(retry, attempt, random), control))) return false;
      }
    }
    return true;
  }

  /** The fallback after a sub-batch rolled back: one message per transaction, in offset order. */
  async function applyOneByOne(items: readonly Item[], control: BatchControl): Promise<boolean> {
    for (const item of items) {
      if (!control.isRunning() || control.isStale()) return false;
      if (item.kind === 'undecodable') await parkUndecodable([item]);
      else if (item.kind === 'ignored') reportIgnored(item);
      else if (!(await applyWithRetries(item, control))) return false;
      await commitAfter(item.record, control);
    }
    return true;
  }

  async function processChunk(chunk: readonly ConsumedRecord[], control: BatchControl): Promise<boolean> {
    const items: Item[] = [];
    for (const record of chunk) {
      const item = await decodeRecord(record, control);
      if (item === undefined) return false;
      items.push(item);
    }
    const decoded = items.filter((item): item is DecodedItem => item.kind === 'decoded');
    const last = chunk[chunk.length - 1];
    if (last === undefined) return true;
    if (decoded.length > 0) {
      let applied: Applied[];
      try {
        applied = await applyInTransaction(decoded);
      } catch (error) {
        if (error instanceof DatabaseUnavailableError) throw error;
        metrics.handlerFailure(last.topic, errorClassOf(error));
        logger.warn({ topic: last.topic, partition: last.partition, messages: decoded.length, errorClass: errorClassOf(error) }, 'sub-batch rolled back; applying one message per transaction');
        return applyOneByOne(items, control);
      }
      applied.forEach(reportApplied);
    }
    // Reported only now: had the transaction rolled back, the one-by-one pass would report them.
    for (const item of items) if (item.kind === 'ignored') reportIgnored(item);
    await parkUndecodable(items.filter((item): item is UndecodableItem => item.kind === 'undecodable'));
    await commitAfter(last, control);
    return true;
  }

  async function onBatch(batch: PartitionBatch, control: BatchControl): Promise<void> {
    for (let start = 0; start < batch.records.length; start += maxBatchSize) {
      if (!control.isRunning() || control.isStale()) return;
      const finished = await processChunk(batch.records.slice(start, start + maxBatchSize), control);
      if (!finished) return;
    }
  }

  return {
    async start(): Promise<void> {
      const rows = await options.pool.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [INBOX_TABLE]);
      if (rows.rows[0]?.found === null || rows.rows[0] === undefined) {
        throw new Error(`table ${INBOX_TABLE} does not exist in this database: run ensureInboxSchema(tx) (@txn/messaging) in the service's migrations`);
      }
      await options.transport.ensureTopics(options.topics.map((topic) => deadLetterTopicSpec(topic, group, options.deadLetterRetention_ms ?? DEAD_LETTER_RETENTION_MS)));
      await options.transport.run(onBatch);
      logger.info({ topics: options.topics }, 'consumer started');
    },
    async stop(): Promise<void> {
      await options.transport.stop();
      logger.info('consumer stopped');
    },
  };
}
