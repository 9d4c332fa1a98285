import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { createSuiteScope, testEnvironment, waitFor, type SuiteScope } from '@txn/testing';
import { startLagExporter } from '../../src/exporter';
import { measureConsumerLag } from '../../src/measure';
import { lagTable } from '../../src/table';

// Consumer lag measured from outside the consumers, on the real Kafka: a group that read, committed
// and died is still measured (state Empty, no member), its lag keeps growing, and its time lag is
// the age of the oldest record it has not read; a live group that keeps up shows no lag.

const STEP_TIMEOUT_MS = 30_000;

describe('consumer lag from outside the consumers (real Kafka)', () => {
  let scope: SuiteScope;
  let kafka: Kafka;
  let topic: string;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    scope = await createSuiteScope('kafka-lag');
    topic = scope.topic('lagged');
    await scope.createTopics([{ topic, numPartitions: 2 }]);
    kafka = new Kafka({ clientId: 'kafka-lag-test', brokers: [...testEnvironment().kafka.brokers], logLevel: logLevel.NOTHING });
  }, 60_000);

  afterAll(async () => {
    for (const consumer of consumers) await consumer.disconnect().catch(() => undefined);
    await scope?.dispose();
  });

  async function produce(count: number): Promise<void> {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: count }, (_, index) => ({ partition: 0, value: `record ${index}` })) });
    await producer.disconnect();
  }

  /** A consumer that reads `count` records of partition 0, commits after them, then dies. */
  async function readThenDie(groupId: string, count: number): Promise<void> {
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let read = 0;
    await new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          if (partition !== 0 || read >= count) return;
          read += 1;
          if (read === count) {
            await consumer.commitOffsets([{ topic, partition: 0, offset: (BigInt(message.offset) + 1n).toString() }]);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
  }

  it('measures a group whose every member died: Empty, no members, the lag growing as records arrive, the time lag the age of its oldest unread record', async () => {
    const dead = scope.groupId('dead');
    await produce(10);
    await readThenDie(dead, 4);
    const producedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const [group] = await measureConsumerLag(kafka, { groupPrefixes: [dead] });
    expect(group).toMatchObject({ group: dead, state: 'Empty', members: 0 });
    const partition0 = group?.partitions.find((entry) => entry.topic === topic && entry.partition === 0);
    expect(partition0).toMatchObject({ committed: 4n, end: 10n, lag: 6n });
    expect(partition0?.lagSeconds ?? 0).toBeGreaterThanOrEqual((Date.now() - producedAt - 100) / 1000);

    await produce(5);
    const exporter = await startLagExporter({ brokers: testEnvironment().kafka.brokers, host: '127.0.0.1', port: 0, interval_ms: 300, groupPrefixes: [dead] });
    try {
      const metrics = await waitFor('the exporter to show the grown lag', async () => {
        const text = await (await fetch(`${exporter.url}/metrics`)).text();
        return text.includes(`kafka_consumergroup_lag{group="${dead}",topic="${topic}",partition="0"} 11`) ? text : undefined;
      }, STEP_TIMEOUT_MS);
      expect(metrics).toContain(`kafka_consumergroup_members{group="${dead}"} 0`);
      expect(metrics).toContain(`kafka_consumergroup_state{group="${dead}",state="Empty"} 1`);
      const ageLine = metrics.split('\n').find((line) => line.startsWith(`kafka_consumergroup_lag_seconds{group="${dead}",topic="${topic}",partition="0"}`));
      expect(Number(ageLine?.split(' ').at(-1))).toBeGreaterThan(1);
      expect((await fetch(`${exporter.url}/health`)).status).toBe(200);
    } finally {
      await exporter.close();
    }
  }, 90_000);

  it('shows a live group that keeps up with no lag, its member counted, and prints both in the table', async () => {
    const live = scope.groupId('live');
    const consumer = kafka.consumer({ groupId: live, maxWaitTimeInMs: 100 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async () => undefined });
    const group = await waitFor('the live group caught up', async () => {
      const [measured] = await measureConsumerLag(kafka, { groupPrefixes: [live] });
      const caughtUp = measured !== undefined && measured.state === 'Stable' && measured.partitions.some((entry) => entry.partition === 0 && entry.committed === 15n);
      return caughtUp ? measured : undefined;
    }, STEP_TIMEOUT_MS);
    expect(group).toMatchObject({ members: 1 });
    expect(group.partitions.every((entry) => entry.lag === 0n && entry.lagSeconds === 0)).toBe(true);
    const table = lagTable(await measureConsumerLag(kafka, { groupPrefixes: [scope.groupId('')] }));
    expect(table).toMatch(new RegExp(`${scope.groupId('dead')}\\s+Empty\\s+0\\s+${topic}\\s+0\\s+4\\s+15\\s+11`));
    expect(table).toContain(`${live}`);
  }, 90_000);
});
