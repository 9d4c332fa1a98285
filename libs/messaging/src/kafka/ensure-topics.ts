import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import type { TopicSpec } from '../ports';

/**
 * Creates the topics that are missing, then waits until every partition of every one has a
 * leader, so that the caller's next request to them cannot fail. Several members of a group
 * starting at once race to create the same dead-letter topics: the loser is told the topic exists
 * while the broker is still electing its leaders, and a metadata request then answers
 * UNKNOWN_TOPIC_OR_PARTITION. Retriable answers are tried again within a bound; anything else,
 * or the bound passing, fails the start with the broker's own error.
 */

export interface EnsureTopicsOptions {
  /** Bound on the whole step (default 30 s). */
  readonly timeout_ms?: number;
  readonly createTimeout_ms?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CREATE_TIMEOUT_MS = 10_000;
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 2_000;

/** kafkajs marks the broker's transient answers (no leader yet, unknown topic yet, a timeout) as retriable. */
export function isRetriableKafkaError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}

async function createMissing(admin: Pick<Admin, 'listTopics' | 'createTopics'>, topics: readonly TopicSpec[], createTimeout_ms: number): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((spec) => !existing.has(spec.topic));
  if (missing.length === 0) return;
  await admin
    .createTopics({
      waitForLeaders: true,
      timeout: createTimeout_ms,
      topics: missing.map((spec) => ({ topic: spec.topic, numPartitions: spec.numPartitions, configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })) })),
    })
    .catch(async (error: unknown) => {
      // Another member created it first (TOPIC_ALREADY_EXISTS): fine, if it is there now.
      const now = new Set(await admin.listTopics());
      if (!missing.every((spec) => now.has(spec.topic))) throw error;
    });
}

/** True once the broker names a leader for every partition of every topic. */
async function allLed(admin: Pick<Admin, 'fetchTopicMetadata'>, topics: readonly TopicSpec[]): Promise<boolean> {
  const { topics: described } = await admin.fetchTopicMetadata({ topics: topics.map((spec) => spec.topic) });
  return topics.every((spec) => {
    const found = described.find((topic) => topic.name === spec.topic);
    return found !== undefined && found.partitions.length >= spec.numPartitions && found.partitions.every((partition) => partition.leader >= 0);
  });
}

export async function ensureTopicsWith(admin: Pick<Admin, 'listTopics' | 'createTopics' | 'fetchTopicMetadata'>, topics: readonly TopicSpec[], options: EnsureTopicsOptions = {}): Promise<void> {
  if (topics.length === 0) return;
  const deadline = Date.now() + (options.timeout_ms ?? DEFAULT_TIMEOUT_MS);
  for (let attempt = 1; ; attempt += 1) {
    let retriable: unknown;
    try {
      await createMissing(admin, topics, options.createTimeout_ms ?? DEFAULT_CREATE_TIMEOUT_MS);
      if (await allLed(admin, topics)) return;
    } catch (error) {
      if (!isRetriableKafkaError(error)) throw error;
      retriable = error;
    }
    if (Date.now() >= deadline) {
      if (retriable !== undefined) throw retriable;
      throw new Error(`topics ${topics.map((spec) => spec.topic).join(', ')} have partitions without a leader after ${options.timeout_ms ?? DEFAULT_TIMEOUT_MS} ms`);
    }
    await sleep(Math.min(FIRST_DELAY_MS * 2 ** (attempt - 1), MAX_DELAY_MS, Math.max(0, deadline - Date.now())));
  }
}
