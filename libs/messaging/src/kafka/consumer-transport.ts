import { Kafka, logLevel, Partitioners, type Consumer, type EachBatchPayload, type IHeaders, type logCreator, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { BatchControl, ConsumedRecord, ConsumerTransport, PartitionBatch, RawRecord, TopicSpec } from '../ports';
import { ensureTopicsWith } from './ensure-topics';

/**
 * Why these consumer settings (kafkajs defaults are not relied on):
 * - session 30 s / heartbeat 3 s: a member that stops heartbeating (crash, frozen host) loses its
 *   partitions within 30 s; the runtime heartbeats during retry back-off, so a long retry does
 *   not look like a crash;
 * - rebalance timeout 60 s: a member finishing a sub-batch transaction gets time to rejoin;
 * - max wait 500 ms: a quiet partition answers a fetch within half a second (latency), a busy
 *   one answers as soon as data is there;
 * - 1 MiB per partition: bounds the memory one partition batch can take;
 * - auto-commit off: the runtime commits an offset only after its inbox transaction committed.
 */
export const CONSUMER_SESSION_TIMEOUT_MS = 30_000;
export const CONSUMER_HEARTBEAT_INTERVAL_MS = 3_000;
export const CONSUMER_REBALANCE_TIMEOUT_MS = 60_000;
export const CONSUMER_MAX_WAIT_MS = 500;
export const CONSUMER_MAX_BYTES_PER_PARTITION = 1024 * 1024;
/** Partitions of one member handled at the same time (each in its own transactions). */
export const CONSUMER_PARTITIONS_CONCURRENTLY = 1;
const ADMIN_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 10_000;
const CONNECTION_TIMEOUT_MS = 5_000;

export interface KafkaConsumerTransportOptions {
  readonly clientId: string;
  readonly brokers: readonly string[];
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * Where a group with no committed offset starts. Default true (earliest): a group created after
   * its topic's first records must still see them; nothing is skipped by default.
   */
  readonly fromBeginning?: boolean;
  readonly sessionTimeout_ms?: number;
  readonly heartbeatInterval_ms?: number;
  readonly partitionsConsumedConcurrently?: number;
  /** Where kafkajs' own warnings and errors go (as JSON lines); default: kafkajs' console logger. */
  readonly logger?: Logger;
}

/** kafkajs' log entries (WARN and ERROR only) as pino lines under `component: kafkajs`. */
function pinoLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }) => {
      const { message, ...fields } = log;
      if (level === logLevel.ERROR) child.error(fields, message);
      else if (level === logLevel.WARN) child.warn(fields, message);
      else child.debug(fields, message);
    };
}

function copyHeaders(headers: IHeaders | undefined): ConsumedRecord['headers'] {
  return { ...(headers ?? {}) };
}

function toKafkaHeaders(headers: RawRecord['headers']): IHeaders {
  const result: IHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    result[name] = Array.isArray(value) ? [...(value as (Buffer | string)[])] : (value as Buffer | string);
  }
  return result;
}

/** Creates the topics that are missing and waits for their leaders (ensure-topics.ts), on an admin client of its own. */
async function ensureTopicsOn(kafka: Kafka, topics: readonly TopicSpec[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopicsWith(admin, topics, { createTimeout_ms: ADMIN_TIMEOUT_MS });
  } finally {
    await admin.disconnect();
  }
}

/** One fetched partition batch as the runtime sees it, with what it may do while working on it. */
function partitionBatchOf(consumer: Consumer, payload: EachBatchPayload): [PartitionBatch, BatchControl] {
  const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
  const records: ConsumedRecord[] = batch.messages.map((message) => ({
    topic: batch.topic,
    partition: batch.partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: copyHeaders(message.headers),
    timestamp: message.timestamp,
  }));
  const control: BatchControl = {
    heartbeat,
    isRunning,
    isStale,
    async commit(nextOffset: string): Promise<void> {
      // resolveOffset moves the fetch position; commitOffsets makes it durable.
      resolveOffset((BigInt(nextOffset) - 1n).toString());
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: nextOffset }]);
    },
  };
  return [{ topic: batch.topic, partition: batch.partition, records }, control];
}

/** Publishes dead letters and replays byte for byte, per topic, acknowledged by all in-sync replicas. */
async function publishRawOn(producer: Producer, records: readonly RawRecord[]): Promise<void> {
  if (records.length === 0) return;
  const byTopic = new Map<string, RawRecord[]>();
  for (const record of records) byTopic.set(record.topic, [...(byTopic.get(record.topic) ?? []), record]);
  await producer.sendBatch({
    acks: -1,
    topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list.map((record) => ({ key: record.key, value: record.value, headers: toKafkaHeaders(record.headers) })) })),
  });
}

/** The consumer runtime's transport on kafkajs 2.2.4. */
export function createKafkaConsumerTransport(options: KafkaConsumerTransportOptions): ConsumerTransport {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    logLevel: logLevel.WARN,
    ...(options.logger === undefined ? {} : { logCreator: pinoLogCreator(options.logger) }),
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
  });
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeout_ms ?? CONSUMER_SESSION_TIMEOUT_MS,
    heartbeatInterval: options.heartbeatInterval_ms ?? CONSUMER_HEARTBEAT_INTERVAL_MS,
    rebalanceTimeout: CONSUMER_REBALANCE_TIMEOUT_MS,
    maxWaitTimeInMs: CONSUMER_MAX_WAIT_MS,
    maxBytesPerPartition: CONSUMER_MAX_BYTES_PER_PARTITION,
    allowAutoTopicCreation: false,
  });
  // Same settings as createKafkaPublisher: a dead letter is acknowledged by all in-sync replicas
  // before the source offset moves past it.
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  let producerConnected = false;

  return {
    ensureTopics: (topics) => ensureTopicsOn(kafka, topics),
    async publishRaw(records: readonly RawRecord[]): Promise<void> {
      if (records.length === 0) return;
      if (!producerConnected) {
        await producer.connect();
        producerConnected = true;
      }
      await publishRawOn(producer, records);
    },
    async run(onBatch: (batch: PartitionBatch, control: BatchControl) => Promise<void>): Promise<void> {
      await consumer.connect();
      await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? CONSUMER_PARTITIONS_CONCURRENTLY,
        eachBatch: (payload) => onBatch(...partitionBatchOf(consumer, payload)),
      });
    },
    async stop(): Promise<void> {
      await consumer.disconnect();
      if (producerConnected) await producer.disconnect();
      producerConnected = false;
    },
  };
}
