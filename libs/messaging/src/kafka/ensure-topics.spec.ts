import type { Admin, ITopicMetadata } from 'kafkajs';
import { ensureTopicsWith, isRetriableKafkaError } from './ensure-topics';

const SPEC = { topic: 'booking.events.v1.payment.dlq', numPartitions: 2, config: {} };

/** An error shaped as kafkajs reports the broker's UNKNOWN_TOPIC_OR_PARTITION (retriable). */
function unknownTopic(): Error {
  return Object.assign(new Error('This server does not host this topic-partition'), { name: 'KafkaJSProtocolError', retriable: true, type: 'UNKNOWN_TOPIC_OR_PARTITION' });
}

/** The broker as a member that lost the creation race sees it: the topic exists, its leaders come a little later. */
class RacingAdmin implements Pick<Admin, 'listTopics' | 'createTopics' | 'fetchTopicMetadata'> {
  calls: string[] = [];
  constructor(private readonly answers: { metadata: (() => ITopicMetadata[] | Error)[] }) {}
  listTopics(): Promise<string[]> {
    this.calls.push('listTopics');
    return Promise.resolve([SPEC.topic]);
  }
  createTopics(): Promise<boolean> {
    this.calls.push('createTopics');
    return Promise.resolve(false);
  }
  fetchTopicMetadata(): Promise<{ topics: ITopicMetadata[] }> {
    this.calls.push('fetchTopicMetadata');
    const next = this.answers.metadata.shift() ?? (() => new Error('asked too often'));
    const answer = next();
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve({ topics: answer });
  }
}

const led = (leader: number): ITopicMetadata[] => [{ name: SPEC.topic, partitions: [0, 1].map((partitionId) => ({ partitionId, leader, replicas: [1], isr: [1], offlineReplicas: [], partitionErrorCode: 0 })) }];

describe('ensuring topics several members create at once', () => {
  it('waits for the leaders of a topic another member created, through the broker answering that it does not host it yet', async () => {
    const admin = new RacingAdmin({ metadata: [unknownTopic, () => led(-1), () => led(1)] });
    await ensureTopicsWith(admin, [SPEC], { timeout_ms: 5_000 });
    expect(admin.calls.filter((call) => call === 'fetchTopicMetadata')).toHaveLength(3);
    expect(admin.calls).not.toContain('createTopics');
  });

  it('fails with the broker\'s own error when leaders never come within the bound, and at once on an error that is not transient', async () => {
    await expect(ensureTopicsWith(new RacingAdmin({ metadata: Array.from({ length: 50 }, () => unknownTopic) }), [SPEC], { timeout_ms: 300 })).rejects.toThrow('does not host this topic-partition');
    const denied = Object.assign(new Error('Not authorized to access topics'), { retriable: false });
    const admin = new RacingAdmin({ metadata: [() => denied] });
    await expect(ensureTopicsWith(admin, [SPEC], { timeout_ms: 5_000 })).rejects.toThrow('Not authorized');
    expect(admin.calls.filter((call) => call === 'fetchTopicMetadata')).toHaveLength(1);
    expect(isRetriableKafkaError(unknownTopic())).toBe(true);
  });
});
