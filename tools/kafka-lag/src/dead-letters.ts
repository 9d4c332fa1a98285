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
    for (const topic of topics) {
      const position = await deadLetterPosition(admin, topic).catch(() => undefined);
      if (position === undefined) continue;
      const parsed = parseDeadLetterTopic(topic);
      depths.push({ topic, sourceTopic: parsed?.topic ?? '', group: parsed?.consumerGroup ?? '', pending: pendingOf(position) });
    }
    return depths;
  } finally {
    await admin.disconnect();
  }
}
