import { ConfigResourceTypes, Kafka, logLevel, Partitioners, type Admin, type Consumer, type Producer } from 'kafkajs';
import { createSuiteScope, testEnvironment, waitFor, type SuiteScope } from '@txn/testing';
import { findRootDir } from '../../src/config';
import { loadTopicCatalogue } from '../../src/components/kafka';

// The client every service uses (kafkajs 2.2.4) against the broker the platform runs: these are
// the calls the messaging library depends on, so a Kafka version that breaks one fails here.

const PARTITIONS = 3;
const KEYS = ['booking-a', 'booking-b', 'booking-c', 'booking-d', 'booking-e', 'booking-f'];
const MESSAGES_PER_KEY = 5;
const FIRST_ROUND = KEYS.length * MESSAGES_PER_KEY;
const SECOND_ROUND = KEYS.length;

const CONNECTION_TIMEOUT_MS = 3_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** Joining a group, fetching and committing on a single local broker takes well under this. */
const CONSUME_TIMEOUT_MS = 20_000;
/** How long a restarted consumer is watched for redelivered messages after the new ones arrived. */
const REDELIVERY_WATCH_MS = 1_500;

interface Received {
  readonly partition: number;
  readonly offset: bigint;
  readonly key: string;
  readonly value: string;
}

describe('Kafka: the local broker serves what the services need from kafkajs', () => {
  let scope: SuiteScope;
  let kafka: Kafka;
  let admin: Admin;
  let topic: string;
  const openClients: Array<Producer | Consumer> = [];

  function producer(): Producer {
    const created = kafka.producer({
      idempotent: true,
      // kafkajs keeps sequence numbers correct for retried batches only with one request in flight.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // The Java client's murmur2 partitioner, so a key lands where a Java client would put it.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    openClients.push(created);
    return created;
  }

  function consumer(groupId: string): Consumer {
    const created = kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 10_000,
      maxWaitTimeInMs: 200,
      allowAutoTopicCreation: false,
      retry: { retries: 3 },
    });
    openClients.push(created);
    return created;
  }

  async function consumeInto(consumerClient: Consumer, sink: Received[]): Promise<void> {
    await consumerClient.connect();
    await consumerClient.subscribe({ topics: [topic], fromBeginning: true });
    await consumerClient.run({
      // Offsets are committed by the test, after "processing", as the services do.
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        sink.push({
          partition,
          offset: BigInt(message.offset),
          key: message.key?.toString('utf8') ?? '',
          value: message.value?.toString('utf8') ?? '',
        });
      },
    });
  }

  beforeAll(async () => {
    scope = await createSuiteScope('kafka');
    kafka = new Kafka({
      clientId: `test-${scope.id}`,
      brokers: [...testEnvironment().kafka.brokers],
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      retry: { retries: 5, maxRetryTime: 5_000 },
      logLevel: logLevel.NOTHING,
    });
    admin = kafka.admin();
    await admin.connect();
    topic = scope.topic('bookings');
    await scope.createTopics([{ topic, numPartitions: PARTITIONS }]);
  });

  afterAll(async () => {
    for (const client of openClients) await client.disconnect().catch(() => undefined);
    await admin?.disconnect();
    await scope?.dispose();
  });

  it('has created the topics of deploy/kafka-topics.json with their partitions and retention', async () => {
    const catalogue = loadTopicCatalogue(findRootDir(__dirname));
    const metadata = await admin.fetchTopicMetadata({ topics: catalogue.map((entry) => entry.name) });
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: catalogue.map((entry) => ({ type: ConfigResourceTypes.TOPIC, name: entry.name, configNames: Object.keys(entry.config) })),
    });
    for (const entry of catalogue) {
      const actualConfig = configs.resources.find((r) => r.resourceName === entry.name)?.configEntries ?? [];
      expect({
        topic: entry.name,
        partitions: metadata.topics.find((t) => t.name === entry.name)?.partitions.length,
        config: Object.fromEntries(actualConfig.map((c) => [c.configName, c.configValue])),
      }).toEqual({ topic: entry.name, partitions: entry.partitions, config: entry.config });
    }
  });

  it('creates a topic with the requested partitions, each led by the broker and empty', async () => {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics[0]?.partitions ?? [];
    expect(partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
    expect(partitions.every((p) => p.leader >= 0 && p.isr.length === 1)).toBe(true);

    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.map(({ partition, low, high }) => ({ partition, low, high })).sort((a, b) => a.partition - b.partition)).toEqual([
      { partition: 0, low: '0', high: '0' },
      { partition: 1, low: '0', high: '0' },
      { partition: 2, low: '0', high: '0' },
    ]);
  });

  it('stores keyed messages from an idempotent producer (acks=all) and keeps each key on one partition', async () => {
    const sender = producer();
    await sender.connect();
    const messages = KEYS.flatMap((key) => Array.from({ length: MESSAGES_PER_KEY }, (_, i) => ({ key, value: `${key}#${i}` })));
    const results = await sender.send({ topic, acks: -1, timeout: REQUEST_TIMEOUT_MS, messages });
    expect(results.every((r) => r.errorCode === 0)).toBe(true);

    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(FIRST_ROUND);
    // Six keys over three partitions: more than one partition is used (the key decides).
    expect(offsets.filter((p) => Number(p.high) > 0).length).toBeGreaterThan(1);
  });

  it('commits a group offset and resumes a restarted consumer after it, without redelivery', async () => {
    const groupId = scope.groupId('resume');
    const firstRun: Received[] = [];
    const first = consumer(groupId);
    await consumeInto(first, firstRun);
    await waitFor('the first consumer to receive every message', () => (firstRun.length >= FIRST_ROUND ? true : undefined), CONSUME_TIMEOUT_MS);
    expect(firstRun).toHaveLength(FIRST_ROUND);

    // Per key, messages arrive in the order they were sent, all from one partition.
    for (const key of KEYS) {
      const ofKey = firstRun.filter((m) => m.key === key);
      expect(new Set(ofKey.map((m) => m.partition)).size).toBe(1);
      expect(ofKey.map((m) => m.value)).toEqual(Array.from({ length: MESSAGES_PER_KEY }, (_, i) => `${key}#${i}`));
    }

    // Commit "next offset to read" per partition, as the services do after their transaction.
    const nextOffsets = new Map<number, bigint>();
    for (const m of firstRun) {
      const next = m.offset + 1n;
      if (next > (nextOffsets.get(m.partition) ?? 0n)) nextOffsets.set(m.partition, next);
    }
    await first.commitOffsets([...nextOffsets].map(([partition, offset]) => ({ topic, partition, offset: offset.toString() })));

    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committedByPartition = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
    const highWatermarks = await admin.fetchTopicOffsets(topic);
    for (const { partition, high } of highWatermarks) {
      // A partition that got no message has no committed offset (-1); the rest are at the end.
      expect(committedByPartition.get(partition)).toBe(Number(high) > 0 ? BigInt(high) : -1n);
    }
    await first.disconnect();

    const sender = producer();
    await sender.connect();
    await sender.send({ topic, acks: -1, timeout: REQUEST_TIMEOUT_MS, messages: KEYS.map((key) => ({ key, value: `${key}#after-restart` })) });

    const secondRun: Received[] = [];
    const second = consumer(groupId);
    await consumeInto(second, secondRun);
    await waitFor('the restarted consumer to receive the new messages', () => (secondRun.length >= SECOND_ROUND ? true : undefined), CONSUME_TIMEOUT_MS);
    // Anything redelivered would sit before the new messages in its partition; give the consumer
    // time to show it before concluding there is none.
    await new Promise((resolvePromise) => setTimeout(resolvePromise, REDELIVERY_WATCH_MS));
    await second.stop();

    expect(secondRun.map((m) => m.value).sort()).toEqual(KEYS.map((key) => `${key}#after-restart`).sort());
    for (const m of secondRun) {
      expect(m.offset).toBeGreaterThanOrEqual(committedByPartition.get(m.partition) ?? 0n);
    }
  });

  it('refuses to produce to a topic nobody created (auto-creation is off)', async () => {
    const missing = scope.topic('never-created');
    const sender = kafka.producer({
      // The client asks for auto-creation; the broker must still refuse.
      allowAutoTopicCreation: true,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    openClients.push(sender);
    await sender.connect();
    await expect(sender.send({ topic: missing, acks: -1, messages: [{ key: 'k', value: 'v' }] })).rejects.toThrow(
      /does not host this topic-partition|UNKNOWN_TOPIC_OR_PARTITION/i,
    );
    expect(await admin.listTopics()).not.toContain(missing);
  });
});
