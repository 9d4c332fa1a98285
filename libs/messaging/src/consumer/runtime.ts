import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AvroCodec, ReaderSchemaFor } from '../avro/codec';
import type { BatchControl, ConsumedRecord, ConsumerTransport, PartitionBatch, RawRecord } from '../ports';
import { consumerMetrics } from './consumer-metrics';
import { deadLetterRecord, deadLetterTopicSpec, DEAD_LETTER_RETENTION_MS, type FailureRecord } from './dead-letter';
import { decodeRecord, type DecodeOptions } from './decode';
import { handlerStep } from './handler-step';
import { INBOX_TABLE } from './inbox';
import { deduplicated } from './inbox-step';
import { heartbeatingPause } from './pause';
import type { ApplyBatch, DecodedItem, InboxMessage, Item, MessageHandler, UndecodableItem } from './pipeline';
import { consumerReport, type ConsumerReport } from './report';
import { withRetries, type RetryOptions } from './retries';
import { checkRetryPolicy, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';
import { traced } from './traced';
import { DatabaseUnavailableError, inTransaction } from './transaction';

export { DatabaseUnavailableError } from './transaction';
export type { InboxMessage, MessageHandler } from './pipeline';

/**
 * Messages applied in one PostgreSQL transaction. One commit per message caps a consumer near the
 * disk's commit rate (≈2,500/s here); 500 amortises the commit while keeping a rolled-back
 * sub-batch (which is then re-applied one message at a time) cheap to redo.
 */
export const MAX_BATCH_SIZE = 500;
/** Bound on any one statement of an inbox transaction (handler statements included). */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;

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

function nextOffsetOf(record: ConsumedRecord): string {
  return (BigInt(record.offset) + 1n).toString();
}

/** What the chunk loop needs, built once from the options. */
interface Runtime {
  readonly group: string;
  readonly report: ConsumerReport;
  /** transaction → inbox dedup → tracing → handler. */
  readonly apply: ApplyBatch;
  readonly decode: Omit<DecodeOptions, 'onRegistryUnavailable'>;
  readonly retry: Omit<RetryOptions, 'pause'>;
  readonly park: (records: readonly RawRecord[]) => Promise<void>;
  readonly now: () => Date;
  readonly hooks: InboxConsumerHooks | undefined;
}

async function commitAfter(runtime: Runtime, record: ConsumedRecord, control: BatchControl): Promise<void> {
  const nextOffset = nextOffsetOf(record);
  await runtime.hooks?.beforeOffsetCommit?.({ topic: record.topic, partition: record.partition, nextOffset });
  await control.commit(nextOffset);
}

async function parkFailed(runtime: Runtime, item: DecodedItem | UndecodableItem, failure: FailureRecord): Promise<void> {
  // A failed publish throws out of the batch uncommitted: the message is redelivered, never lost.
  await runtime.park([deadLetterRecord(item.record, runtime.group, failure)]);
  runtime.report.deadLettered(item, failure.error, failure.attempts);
}

async function parkUndecodable(runtime: Runtime, items: readonly UndecodableItem[]): Promise<void> {
  const at = runtime.now();
  for (const item of items) await parkFailed(runtime, item, { reason: 'undecodable', attempts: 1, firstFailureAt: at, lastFailureAt: at, error: item.error });
}

/** The fallback after a sub-batch rolled back: one message per transaction, in offset order, retried in place, then parked. */
async function applyOneByOne(runtime: Runtime, items: readonly Item[], control: BatchControl): Promise<boolean> {
  const retrying = withRetries(runtime.apply, { ...runtime.retry, pause: heartbeatingPause(control) });
  for (const item of items) {
    if (!control.isRunning() || control.isStale()) return false;
    if (item.kind === 'undecodable') await parkUndecodable(runtime, [item]);
    else if (item.kind === 'ignored') runtime.report.ignored(item);
    else {
      const result = await retrying(item);
      if (result.kind === 'abandoned') return false;
      if (result.kind === 'applied') runtime.report.applied(result.applied);
      else await parkFailed(runtime, item, { reason: 'handler-failed', ...result });
    }
    await commitAfter(runtime, item.record, control);
  }
  return true;
}

/** One chunk of a partition batch: decoded, applied in one transaction, reported, offset committed. */
async function processChunk(runtime: Runtime, chunk: readonly ConsumedRecord[], control: BatchControl): Promise<boolean> {
  const pause = heartbeatingPause(control);
  const items: Item[] = [];
  for (const record of chunk) {
    const item = await decodeRecord(record, { ...runtime.decode, onRegistryUnavailable: runtime.report.registryUnavailable }, pause);
    if (item === undefined) return false;
    items.push(item);
  }
  const last = chunk[chunk.length - 1];
  if (last === undefined) return true;
  const decoded = items.filter((item): item is DecodedItem => item.kind === 'decoded');
  if (decoded.length > 0) {
    try {
      (await runtime.apply(decoded)).forEach(runtime.report.applied);
    } catch (error) {
      if (error instanceof DatabaseUnavailableError) throw error;
      runtime.report.subBatchRolledBack(last, decoded.length, error);
      return applyOneByOne(runtime, items, control);
    }
  }
  // Reported only now: had the transaction rolled back, the one-by-one pass would report them.
  for (const item of items) if (item.kind === 'ignored') runtime.report.ignored(item);
  await parkUndecodable(runtime, items.filter((item): item is UndecodableItem => item.kind === 'undecodable'));
  await commitAfter(runtime, last, control);
  return true;
}

/**
 * The consuming side of the backbone: decode → inbox dedup → handler, one transaction per
 * sub-batch, offset commit after the transaction, in-place retries, dead letters. Each step is a
 * middleware of its own (see pipeline.ts); this composes them and walks the partition batches.
 */
export function createInboxConsumer<T = unknown>(options: InboxConsumerOptions<T>): InboxConsumer {
  const retry = checkRetryPolicy(options.retry ?? DEFAULT_RETRY_POLICY);
  const maxBatchSize = options.maxBatchSize ?? MAX_BATCH_SIZE;
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1 || maxBatchSize > MAX_BATCH_SIZE) {
    throw new Error(`maxBatchSize must be an integer in 1..${MAX_BATCH_SIZE}, got ${maxBatchSize}`);
  }
  const group = options.consumerGroup;
  const logger = options.logger.child({ consumerGroup: group });
  const report = consumerReport({ logger, metrics: consumerMetrics(options.metrics, group), ...(options.onIgnored === undefined ? {} : { onIgnored: options.onIgnored }) });
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => new Date());
  const runtime: Runtime = {
    group,
    report,
    apply: inTransaction(options.pool, options.statementTimeout_ms ?? DEFAULT_STATEMENT_TIMEOUT_MS, deduplicated(group, traced(group, handlerStep(options.handler as MessageHandler)))),
    decode: { codec: options.codec, readerSchemaFor: options.readerSchemaFor, handles: options.handles ?? (() => true), retry, random },
    retry: { policy: retry, now, random, onFailure: (item, error, attempt) => report.failed(item, error, attempt, retry.maxAttempts) },
    park: (records) => options.transport.publishRaw(records),
    now,
    hooks: options.hooks,
  };

  async function onBatch(batch: PartitionBatch, control: BatchControl): Promise<void> {
    for (let start = 0; start < batch.records.length; start += maxBatchSize) {
      if (!control.isRunning() || control.isStale()) return;
      if (!(await processChunk(runtime, batch.records.slice(start, start + maxBatchSize), control))) return;
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
