import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Admin } from 'kafkajs';
import { readDeadLetterInfo, replayRecord, type DeadLetterInfo } from '../consumer/dead-letter';
import type { ConsumedRecord, RawRecord } from '../ports';
import { headerText } from '../tracing';

/**
 * Operator functions behind `./platform dlq list | show | replay | ack`.
 *
 * Which parked messages were dealt with is kept by Kafka itself: the consumer group
 * `<dlq topic>.replayer` never runs a member; its committed offset on the dead-letter topic's one
 * partition says "everything below was replayed or acknowledged". `replay --all` replays from
 * there to the end and moves it, so a second `--all` replays nothing twice. `replay --offset N`
 * replays one message and moves the mark only when N is the next one in line (a message replayed
 * out of line may be replayed again by a later `--all`: harmless, the consumers' inboxes drop it).
 * `ack` moves the mark without re-publishing: for a message that must never be applied (one no
 * producer of ours wrote, undecodable). What lies at or above the mark is *pending*: what
 * `dlq list` prints and the lag exporter measures (kafka_dlq_messages_pending), so the
 * DeadLetterQueueNotEmpty alert resolves exactly when the runbook's replay or ack was done.
 */

export interface DeadLetterAdminOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
}

/** Dead-letter topics have one partition (see DEAD_LETTER_PARTITIONS). */
const PARTITION = 0;
export const DEAD_LETTER_TOPIC_SUFFIX = '.dlq';
/** Bound on messages one `show` returns and one `replay --all` call re-publishes. */
export const MAX_SHOW_MESSAGES = 50;
export const MAX_REPLAY_MESSAGES = 10_000;
/** Re-published in chunks of this size, each acknowledged by all in-sync replicas before the next. */
const REPLAY_PUBLISH_CHUNK = 100;
/** Reading a range of a local topic takes a group join plus one fetch: seconds, not minutes. */
export const READ_TIMEOUT_MS = 30_000;
const ADMIN_TIMEOUT_MS = 10_000;

export function replayerGroupOf(deadLetterTopic: string): string {
  return `${deadLetterTopic}.replayer`;
}

export interface DeadLetterTopicSummary {
  readonly topic: string;
  /** First and next offset on the topic (retention may have deleted older messages). */
  readonly lowOffset: string;
  readonly highOffset: string;
  /** Everything below was replayed. */
  readonly replayedUpTo: string;
  /** Parked messages not replayed yet. */
  readonly pending: number;
}

export interface ParkedMessage {
  readonly topic: string;
  readonly offset: string;
  readonly key: string | null;
  /** Size and writer schema id only: the payload is not shown (it may hold personal data). */
  readonly valueBytes: number;
  readonly writerSchemaId: number | undefined;
  readonly eventId: string | undefined;
  readonly eventType: string | undefined;
  readonly failure: DeadLetterInfo | undefined;
  readonly replayed: boolean;
}

export interface ReplayReport {
  readonly topic: string;
  readonly replayedOffsets: readonly string[];
  /** Parked messages without dead-letter headers (not written by the runtime): skipped. */
  readonly skippedOffsets: readonly string[];
  readonly replayedUpTo: string;
  /** Messages left for another `replay --all` (over MAX_REPLAY_MESSAGES). */
  readonly remaining: number;
}

function kafkaOf(options: DeadLetterAdminOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
    requestTimeout: ADMIN_TIMEOUT_MS,
  });
}

async function withAdmin<T>(kafka: Kafka, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

export interface DeadLetterPosition {
  readonly low: bigint;
  readonly high: bigint;
  /** Everything below was replayed or acknowledged (never below `low`). */
  readonly replayedUpTo: bigint;
}

/** Parked messages not replayed or acknowledged yet. */
export function pendingOf(position: DeadLetterPosition): bigint {
  return position.high > position.replayedUpTo ? position.high - position.replayedUpTo : 0n;
}

/** Where a dead-letter topic stands: its kept offsets and the replayer group's mark. */
export async function deadLetterPosition(admin: Admin, topic: string): Promise<DeadLetterPosition> {
  const offsets = await admin.fetchTopicOffsets(topic);
  const partition = offsets.find((entry) => entry.partition === PARTITION);
  if (partition === undefined) throw new Error(`${topic} has no partition ${PARTITION}`);
  const low = BigInt(partition.low);
  const high = BigInt(partition.high);
  const [committed] = await admin.fetchOffsets({ groupId: replayerGroupOf(topic), topics: [topic] });
  const mark = BigInt(committed?.partitions.find((entry) => entry.partition === PARTITION)?.offset ?? '-1');
  // No mark yet (-1) or a mark below what retention kept: start from the oldest kept message.
  return { low, high, replayedUpTo: mark < low ? low : mark };
}

function assertDeadLetterTopic(topic: string): void {
  if (!topic.endsWith(DEAD_LETTER_TOPIC_SUFFIX)) throw new Error(`${topic} is not a dead-letter topic (<topic>.<group>${DEAD_LETTER_TOPIC_SUFFIX})`);
}

/** Reads offsets [from, to) of the topic's partition with a throw-away group, bounded in time and count. */
async function readRange(kafka: Kafka, topic: string, from: bigint, to: bigint): Promise<ConsumedRecord[]> {
  if (to <= from) return [];
  const groupId = `${topic}.reader.${randomBytes(4).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 200, allowAutoTopicCreation: false });
  const records: ConsumedRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic} offsets ${from}..${to - 1n} took over ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS);
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              const offset = BigInt(message.offset);
              if (offset < from || offset >= to) continue;
              records.push({
                topic,
                partition: batch.partition,
                offset: message.offset,
                key: message.key,
                value: message.value,
                headers: { ...(message.headers ?? {}) },
                timestamp: message.timestamp,
              });
            }
            const next = BigInt(batch.lastOffset()) + 1n;
            if (next >= to || BigInt(batch.highWatermark) <= next) {
              clearTimeout(timer);
              resolvePromise();
            }
          },
        })
        .then(() => consumer.seek({ topic, partition: PARTITION, offset: from.toString() }))
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error as Error);
        });
    });
  } finally {
    await consumer.disconnect();
    await withAdmin(kafka, (admin) => admin.deleteGroups([groupId])).catch(() => undefined);
  }
  return records;
}

function describe(record: ConsumedRecord, replayedUpTo: bigint): ParkedMessage {
  const value = record.value;
  return {
    topic: record.topic,
    offset: record.offset,
    key: record.key === null ? null : record.key.toString('utf8'),
    valueBytes: value === null ? 0 : value.length,
    writerSchemaId: value !== null && value.length >= 5 && value[0] === 0 ? value.readInt32BE(1) : undefined,
    eventId: headerText(record.headers, 'event-id'),
    eventType: headerText(record.headers, 'event-type'),
    failure: readDeadLetterInfo(record.headers),
    replayed: BigInt(record.offset) < replayedUpTo,
  };
}

/** Every dead-letter topic with its counts. */
export async function listDeadLetters(options: DeadLetterAdminOptions): Promise<DeadLetterTopicSummary[]> {
  const kafka = kafkaOf(options);
  return withAdmin(kafka, async (admin) => {
    const topics = (await admin.listTopics()).filter((topic) => topic.endsWith(DEAD_LETTER_TOPIC_SUFFIX)).sort();
    const summaries: DeadLetterTopicSummary[] = [];
    for (const topic of topics) {
      const position = await deadLetterPosition(admin, topic);
      summaries.push({
        topic,
        lowOffset: position.low.toString(),
        highOffset: position.high.toString(),
        replayedUpTo: position.replayedUpTo.toString(),
        pending: Number(pendingOf(position)),
      });
    }
    return summaries;
  });
}

/** One parked message (`offset`), or the first pending ones (at most `limit`, ≤ MAX_SHOW_MESSAGES). */
export async function showDeadLetter(options: DeadLetterAdminOptions, topic: string, select: { offset?: string; limit?: number } = {}): Promise<ParkedMessage[]> {
  assertDeadLetterTopic(topic);
  const kafka = kafkaOf(options);
  const position = await withAdmin(kafka, (admin) => deadLetterPosition(admin, topic));
  const limit = BigInt(Math.min(Math.max(select.limit ?? MAX_SHOW_MESSAGES, 1), MAX_SHOW_MESSAGES));
  const from = select.offset !== undefined ? BigInt(select.offset) : position.replayedUpTo;
  const to = select.offset !== undefined ? from + 1n : from + limit < position.high ? from + limit : position.high;
  if (from < position.low || from >= position.high) {
    if (select.offset !== undefined) throw new Error(`${topic} has no offset ${select.offset} (kept: ${position.low}..${position.high - 1n})`);
    return [];
  }
  return (await readRange(kafka, topic, from, to)).map((record) => describe(record, position.replayedUpTo));
}

async function publishInChunks(kafka: Kafka, records: readonly RawRecord[]): Promise<void> {
  if (records.length === 0) return;
  // Same settings as every platform producer (createKafkaPublisher): idempotent, acks all, one
  // request in flight, so replayed messages of one key land in the order they were parked; and
  // the murmur2 partitioner, so a replay lands on its key's partition, behind its key's history.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let start = 0; start < records.length; start += REPLAY_PUBLISH_CHUNK) {
      const byTopic = new Map<string, RawRecord[]>();
      for (const record of records.slice(start, start + REPLAY_PUBLISH_CHUNK)) byTopic.set(record.topic, [...(byTopic.get(record.topic) ?? []), record]);
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([target, list]) => ({
          topic: target,
          messages: list.map((record) => ({ key: record.key, value: record.value, headers: { ...(record.headers as Record<string, Buffer | string>) } })),
        })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/**
 * Re-publishes parked messages to their original topics with their original key, value and
 * headers plus `x-replayed-from`. Replaying twice is harmless: the consumers' inboxes drop it.
 */
export async function replayDeadLetters(options: DeadLetterAdminOptions, topic: string, select: { offset: string } | { all: true }): Promise<ReplayReport> {
  assertDeadLetterTopic(topic);
  const kafka = kafkaOf(options);
  const position = await withAdmin(kafka, (admin) => deadLetterPosition(admin, topic));
  let from: bigint;
  let to: bigint;
  if ('offset' in select) {
    from = BigInt(select.offset);
    to = from + 1n;
    if (from < position.low || from >= position.high) throw new Error(`${topic} has no offset ${select.offset} (kept: ${position.low}..${position.high - 1n})`);
  } else {
    from = position.replayedUpTo;
    const end = from + BigInt(MAX_REPLAY_MESSAGES);
    to = end < position.high ? end : position.high;
  }
  const parked = await readRange(kafka, topic, from, to);
  const replays: RawRecord[] = [];
  const replayedOffsets: string[] = [];
  const skippedOffsets: string[] = [];
  for (const record of parked) {
    const replay = replayRecord(record);
    if (replay === undefined) skippedOffsets.push(record.offset);
    else {
      replays.push(replay);
      replayedOffsets.push(record.offset);
    }
  }
  await publishInChunks(kafka, replays);
  // Move the mark only over a contiguous stretch starting at it: that is what it means.
  const newMark = from <= position.replayedUpTo && to > position.replayedUpTo ? to : position.replayedUpTo;
  if (newMark !== position.replayedUpTo) {
    await withAdmin(kafka, (admin) => admin.setOffsets({ groupId: replayerGroupOf(topic), topic, partitions: [{ partition: PARTITION, offset: newMark.toString() }] }));
  }
  return { topic, replayedOffsets, skippedOffsets, replayedUpTo: newMark.toString(), remaining: Number(position.high - newMark) };
}

export interface AcknowledgeReport {
  readonly topic: string;
  /** The offsets acknowledged by this call (none when the mark was already past them). */
  readonly acknowledgedOffsets: readonly string[];
  readonly replayedUpTo: string;
  readonly remaining: number;
}

/**
 * Marks parked messages as dealt with without re-publishing them: `--offset N` only for the next
 * one in line (the mark cannot skip a message and stay true), `--all` everything pending. For a
 * message that must never be applied; anything else is replayed once its cause is fixed.
 */
export async function acknowledgeDeadLetters(options: DeadLetterAdminOptions, topic: string, select: { offset: string } | { all: true }): Promise<AcknowledgeReport> {
  assertDeadLetterTopic(topic);
  const kafka = kafkaOf(options);
  return withAdmin(kafka, async (admin) => {
    const position = await deadLetterPosition(admin, topic);
    let to = position.high;
    if ('offset' in select) {
      const offset = BigInt(select.offset);
      if (offset < position.low || offset >= position.high) throw new Error(`${topic} has no offset ${select.offset} (kept: ${position.low}..${position.high - 1n})`);
      if (offset > position.replayedUpTo) throw new Error(`${topic}: offset ${select.offset} is not next in line (next pending: ${position.replayedUpTo}); acknowledge in order, or replay it`);
      to = offset + 1n > position.replayedUpTo ? offset + 1n : position.replayedUpTo;
    }
    const acknowledgedOffsets: string[] = [];
    for (let offset = position.replayedUpTo; offset < to; offset += 1n) acknowledgedOffsets.push(offset.toString());
    if (to > position.replayedUpTo) await admin.setOffsets({ groupId: replayerGroupOf(topic), topic, partitions: [{ partition: PARTITION, offset: to.toString() }] });
    return { topic, acknowledgedOffsets, replayedUpTo: to.toString(), remaining: Number(pendingOf({ ...position, replayedUpTo: to })) };
  });
}
