import type { Kafka } from 'kafkajs';
import { deadLetterPosition, parseDeadLetterTopic, pendingOf } from '@txn/messaging';

/** One dead-letter topic as an operator sees it: what `./platform dlq list` calls pending. */
export interface DeadLetterDepth {
  readonly topic: string;
  /** The topic and consumer group it parks for ('' when its name is not `<topic>.v<N>.<group>.dlq`). */
  readonly sourceTopic: string;
  readonly group: string;
  /** Parked and neither replayed nor acknowledged: at or above the replayer group's mark. */
  readonly pending: bigint;
}

const DEAD_LETTER_SUFFIX = '.dlq';
/** Dead-letter topics read concurrently: the broker answers them in parallel; the bound keeps its request queue short. */
const TOPICS_AT_ONCE = 16;

/**
 * Every dead-letter topic's pending count, from the broker (its offsets and the replayer group's
 * mark, the same reading as `dlq list`): the alert resolves when the runbook's replay or
 * acknowledgement moved the mark, not when somebody looked. A topic deleted while we read is left out.
 */
export async function measureDeadLetters(kafka: Kafka): Promise<DeadLetterDepth[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.endsWith(DEAD_LETTER_SUFFIX)).sort();
    const depths: DeadLetterDepth[] = [];
    // A few topics at a time: read one by one, hundreds of suites' dead-letter topics (two round
    // trips each) made a round outlast a minute under load, and the group lag waits for the round.
    for (let start = 0; start < topics.length; start += TOPICS_AT_ONCE) {
      const chunk = topics.slice(start, start + TOPICS_AT_ONCE);
      const positions = await Promise.all(chunk.map((topic) => deadLetterPosition(admin, topic).catch(() => undefined)));
      chunk.forEach((topic, index) => {
        const position = positions[index];
        if (position === undefined) return;
        const parsed = parseDeadLetterTopic(topic);
        depths.push({ topic, sourceTopic: parsed?.topic ?? '', group: parsed?.consumerGroup ?? '', pending: pendingOf(position) });
      });
    }
    return depths;
  } finally {
    await admin.disconnect();
  }
}
