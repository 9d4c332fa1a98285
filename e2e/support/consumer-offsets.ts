import { Kafka, logLevel, type Admin } from 'kafkajs';
import { testEnvironment, waitFor } from '@txn/testing';

// A consumer group's committed offsets, read and moved with the Kafka admin API, as an operator
// does with kafka-consumer-groups.sh --reset-offsets: to hold back one topic of a service while it
// reads another. Only a group with no running member can be moved.

/** Bounded Kafka client calls: a broker that does not answer fails the step, not the run. */
const CONNECTION_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** kafkajs reports a partition the group never committed on as offset -1. */
const NEVER_COMMITTED = '-1';
/** A group whose last member left (Empty), or that has no metadata left at all (Dead). */
const IDLE_GROUP_STATES = new Set(['Empty', 'Dead']);

/** Partition → offset (the next record to read), for every partition of one topic. */
export type PartitionOffsets = Readonly<Record<number, string>>;

async function withAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
  const environment = testEnvironment();
  const admin = new Kafka({ clientId: 'e2e-consumer-offsets', brokers: [...environment.kafka.brokers], logLevel: logLevel.NOTHING, connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS }).admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

async function readCommitted(admin: Admin, groupId: string, topic: string): Promise<PartitionOffsets> {
  const watermarks = await admin.fetchTopicOffsets(topic);
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const offsets: Record<number, string> = {};
  for (const { partition, low } of watermarks) {
    const offset = committed?.partitions.find((entry) => entry.partition === partition)?.offset ?? NEVER_COMMITTED;
    // The services' consumers start a partition without a commit from the beginning (fromBeginning: true).
    offsets[partition] = offset === NEVER_COMMITTED ? low : offset;
  }
  return offsets;
}

/** Where the group resumes on each partition of the topic (its committed offset, else the earliest). */
export function committedOffsets(groupId: string, topic: string): Promise<PartitionOffsets> {
  return withAdmin((admin) => readCommitted(admin, groupId, topic));
}

/** The end of each partition (the offset the next record will get). */
export function endOffsets(topic: string): Promise<PartitionOffsets> {
  return withAdmin(async (admin) => Object.fromEntries((await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, high])));
}

/**
 * Commits `offsets` for the group on the topic, once the group has no running member (a member
 * that just closed may take a moment to leave), then waits until the commit reads back.
 */
export async function setGroupOffsets(groupId: string, topic: string, offsets: PartitionOffsets, timeout_ms: number): Promise<void> {
  await withAdmin(async (admin) => {
    await waitFor(
      `consumer group ${groupId} without running members`,
      async () => {
        const [group] = (await admin.describeGroups([groupId])).groups;
        return group !== undefined && IDLE_GROUP_STATES.has(group.state) ? true : undefined;
      },
      timeout_ms,
      100,
    );
    await admin.setOffsets({ groupId, topic, partitions: Object.entries(offsets).map(([partition, offset]) => ({ partition: Number(partition), offset })) });
    await waitFor(
      `committed offsets of ${groupId} on ${topic} to read ${JSON.stringify(offsets)}`,
      async () => {
        const now = await readCommitted(admin, groupId, topic);
        return Object.entries(offsets).every(([partition, offset]) => now[Number(partition)] === offset) ? true : undefined;
      },
      timeout_ms,
      100,
    );
  });
}

/** Waits until the group has committed past `offset` on the partition: that record will not be read again. */
export async function waitForCommitPast(groupId: string, at: { readonly topic: string; readonly partition: number; readonly offset: string }, timeout_ms: number): Promise<void> {
  await withAdmin((admin) =>
    waitFor(
      `${groupId} to commit past ${at.topic}/${at.partition}@${at.offset}`,
      async () => {
        const committed = (await readCommitted(admin, groupId, at.topic))[at.partition];
        return committed !== undefined && BigInt(committed) > BigInt(at.offset) ? true : undefined;
      },
      timeout_ms,
      100,
    ),
  );
}
