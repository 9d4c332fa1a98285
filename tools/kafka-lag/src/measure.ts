import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { offsetLag, oldestUnconsumedOffset, timeLagSeconds, type GroupLag, type PartitionLag } from './lag';

export interface MeasureOptions {
  /** Only groups whose id starts with one of these (all consumer groups when empty). */
  readonly groupPrefixes?: readonly string[];
  /** Bound on reading the oldest unconsumed records' timestamps. */
  readonly sampleTimeout_ms?: number;
  readonly now?: () => number;
}

const DEFAULT_SAMPLE_TIMEOUT_MS = 10_000;

interface Waiting {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
}

const keyOf = (topic: string, partition: number): string => `${topic}/${partition}`;

/**
 * The timestamps of the records at the given offsets (the oldest unconsumed of each lagging
 * partition), read by a consumer of its own: a one-off group that seeks and commits nothing, so
 * reading never moves anyone's position. What it cannot read within the bound stays unknown.
 */
async function recordTimestamps(kafka: Kafka, waiting: readonly Waiting[], timeout_ms: number): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  if (waiting.length === 0) return found;
  const pending = new Map(waiting.map((entry) => [keyOf(entry.topic, entry.partition), entry]));
  const consumer = kafka.consumer({ groupId: `txn-lag-sampler-${randomUUID()}`, maxWaitTimeInMs: 100, allowAutoTopicCreation: false, retry: { retries: 2 } });
  await consumer.connect();
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.subscribe({ topics: [...new Set(waiting.map((entry) => entry.topic))], fromBeginning: false });
    await new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeout_ms);
      consumer.on(consumer.events.GROUP_JOIN, () => {
        for (const entry of pending.values()) consumer.seek({ topic: entry.topic, partition: entry.partition, offset: entry.offset.toString() });
      });
      void consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch }) => {
          const key = keyOf(batch.topic, batch.partition);
          const first = batch.messages[0];
          if (first !== undefined && pending.has(key)) {
            found.set(key, Number(first.timestamp));
            pending.delete(key);
          }
          consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
          if (pending.size === 0) resolve();
        },
      });
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
  return found;
}

/** The topic's partitions' bounds into `ends` (once per round); false when the topic is gone. */
async function topicEnds(admin: Admin, topic: string, ends: Map<string, { low: bigint; end: bigint }>): Promise<boolean> {
  if (ends.has(keyOf(topic, 0))) return true;
  try {
    for (const entry of await admin.fetchTopicOffsets(topic)) ends.set(keyOf(topic, entry.partition), { low: BigInt(entry.low), end: BigInt(entry.high) });
    return true;
  } catch {
    return false;
  }
}

async function groupsToMeasure(admin: Admin, prefixes: readonly string[]): Promise<string[]> {
  const { groups } = await admin.listGroups();
  return groups
    .filter((group) => group.protocolType === 'consumer' || group.protocolType === '')
    .map((group) => group.groupId)
    .filter((id) => !id.startsWith('txn-lag-sampler-') && (prefixes.length === 0 || prefixes.some((prefix) => id.startsWith(prefix))))
    .sort();
}

/**
 * Every consumer group's lag per topic and partition, from the broker alone (the group API, as
 * kafka-consumer-groups.sh reads it): it does not depend on any member being alive, so a group
 * whose consumers all died shows state Empty, no members, and a lag that keeps growing.
 */
export async function measureConsumerLag(kafka: Kafka, options: MeasureOptions = {}): Promise<GroupLag[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ids = await groupsToMeasure(admin, options.groupPrefixes ?? []);
    if (ids.length === 0) return [];
    const { groups: described } = await admin.describeGroups(ids);
    const ends = new Map<string, { low: bigint; end: bigint }>();
    const results: { group: string; state: string; members: number; partitions: Omit<PartitionLag, 'lagSeconds'>[] }[] = [];
    for (const group of described) {
      // A group or topic deleted while we read (test suites clean up all the time) is left out of this round, not the round's end.
      const committed = await admin.fetchOffsets({ groupId: group.groupId }).catch(() => []);
      const partitions: Omit<PartitionLag, 'lagSeconds'>[] = [];
      for (const { topic, partitions: offsets } of committed) {
        if (!(await topicEnds(admin, topic, ends))) continue;
        for (const { partition, offset } of offsets) {
          const bounds = ends.get(keyOf(topic, partition)) ?? { low: 0n, end: 0n };
          const position = BigInt(offset) < 0n ? null : BigInt(offset);
          partitions.push({ group: group.groupId, topic, partition, committed: position, end: bounds.end, lag: offsetLag(position, bounds.low, bounds.end) });
        }
      }
      results.push({ group: group.groupId, state: group.state, members: group.members.length, partitions });
    }
    const waiting = new Map<string, Waiting>();
    for (const result of results) {
      for (const entry of result.partitions) {
        if (entry.lag === 0n) continue;
        const offset = oldestUnconsumedOffset(entry.committed, ends.get(keyOf(entry.topic, entry.partition))?.low ?? 0n);
        const key = `${keyOf(entry.topic, entry.partition)}@${offset}`;
        if (!waiting.has(key)) waiting.set(key, { topic: entry.topic, partition: entry.partition, offset });
      }
    }
    const timestamps = await sampleAll(kafka, [...waiting.values()], options.sampleTimeout_ms ?? DEFAULT_SAMPLE_TIMEOUT_MS);
    const now = (options.now ?? Date.now)();
    return results.map((result) => ({
      ...result,
      partitions: result.partitions.map((entry) => ({ ...entry, lagSeconds: timeLagSeconds(timestamps.get(`${keyOf(entry.topic, entry.partition)}@${oldestUnconsumedOffset(entry.committed, ends.get(keyOf(entry.topic, entry.partition))?.low ?? 0n)}`), now, entry.lag) })),
    }));
  } finally {
    await admin.disconnect();
  }
}

/** One sampler per distinct offset of a partition (two groups behind at different places need two reads). */
async function sampleAll(kafka: Kafka, waiting: readonly Waiting[], timeout_ms: number): Promise<Map<string, number>> {
  const byPartition = new Map<string, Waiting[]>();
  for (const entry of waiting) byPartition.set(keyOf(entry.topic, entry.partition), [...(byPartition.get(keyOf(entry.topic, entry.partition)) ?? []), entry]);
  const rounds: Waiting[][] = [];
  for (const entries of byPartition.values()) entries.forEach((entry, index) => (rounds[index] ??= []).push(entry));
  const timestamps = new Map<string, number>();
  for (const round of rounds) {
    // A sample that fails (a topic deleted under the reader) leaves those time lags unknown this round.
    const found = await recordTimestamps(kafka, round, timeout_ms).catch(() => new Map<string, number>());
    for (const entry of round) {
      const at = found.get(keyOf(entry.topic, entry.partition));
      if (at !== undefined) timestamps.set(`${keyOf(entry.topic, entry.partition)}@${entry.offset}`, at);
    }
  }
  return timestamps;
}
