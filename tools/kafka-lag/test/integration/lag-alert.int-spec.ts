import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { alertReceiverUrl, findRootDir, loadPlatformConfig, prometheusUrl } from '@txn/infra-local';
import { createSuiteScope, testEnvironment, waitFor, type SuiteScope } from '@txn/testing';

// The consumer-lag runbook exercised on the real stack (docs/runbooks/consumer-lag.md#no-members):
// a consumer group with records waiting and no member — its consumers dead — makes
// ConsumerGroupWithoutMembers fire in the platform's Prometheus after its 2 minutes, and
// Alertmanager route it to the receiver (what a pager gets, with its runbook); bringing a consumer
// back and catching up (the runbook's recovery) resolves it, and the receiver hears that too.
// The group is not a test suite's (those are excluded from paging), so the test removes it.

const ROOT = findRootDir(__dirname);
const FIRE_TIMEOUT_MS = 200_000;
const RESOLVE_TIMEOUT_MS = 120_000;

interface Notified {
  readonly status: 'firing' | 'resolved';
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

async function notifiedFor(group: string): Promise<Notified[]> {
  const response = await fetch(`${alertReceiverUrl(loadPlatformConfig(process.env, ROOT))}/alerts`);
  return ((await response.json()) as Notified[]).filter((alert) => alert.labels['alertname'] === 'ConsumerGroupWithoutMembers' && alert.labels['group'] === group);
}

interface ActiveAlert {
  readonly labels: Record<string, string>;
  readonly state: 'pending' | 'firing';
}

async function alertsFor(group: string): Promise<ActiveAlert[]> {
  const response = await fetch(`${prometheusUrl(loadPlatformConfig(process.env, ROOT))}/api/v1/alerts`);
  const body = (await response.json()) as { data: { alerts: ActiveAlert[] } };
  return body.data.alerts.filter((alert) => alert.labels['alertname'] === 'ConsumerGroupWithoutMembers' && alert.labels['group'] === group);
}

describe('the consumer-lag runbook, exercised (real Kafka, lag exporter, Prometheus)', () => {
  let scope: SuiteScope;
  let kafka: Kafka;
  const group = `lagdrill-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    scope = await createSuiteScope('lag-alert');
    kafka = new Kafka({ clientId: 'lag-alert-test', brokers: [...testEnvironment().kafka.brokers], logLevel: logLevel.NOTHING });
  });

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([group]).catch(() => undefined);
    await admin.disconnect();
    await scope?.dispose();
  });

  it('fires ConsumerGroupWithoutMembers for a group whose consumers are gone while records wait, routed by Alertmanager to the receiver with its runbook; resolves, and says so, once a consumer is back and caught up', async () => {
    const topic = scope.topic('drill');
    await scope.createTopics([{ topic, numPartitions: 1 }]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '0' }] });
    await admin.disconnect();

    const pendingFirst = await waitFor('the alert pending', async () => ((await alertsFor(group)).length > 0 ? Date.now() : undefined), 90_000);
    const fired = await waitFor('the alert firing', async () => ((await alertsFor(group)).some((alert) => alert.state === 'firing') ? Date.now() : undefined), FIRE_TIMEOUT_MS, 2_000);
    // `for: 2m`: it pends before it pages, never at once.
    expect(fired - pendingFirst).toBeGreaterThanOrEqual(90_000);
    const [page] = await waitFor('the page at the receiver', async () => {
      const notified = (await notifiedFor(group)).filter((alert) => alert.status === 'firing');
      return notified.length > 0 ? notified : undefined;
    }, 60_000, 1_000);
    expect(page?.annotations).toMatchObject({ runbook: 'docs/runbooks/consumer-lag.md#no-members', summary: expect.stringContaining(group) });

    const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async () => undefined });
    try {
      await waitFor('the alert resolved', async () => ((await alertsFor(group)).length === 0 ? true : undefined), RESOLVE_TIMEOUT_MS, 2_000);
      await waitFor('the resolution at the receiver', async () => ((await notifiedFor(group)).some((alert) => alert.status === 'resolved') ? true : undefined), RESOLVE_TIMEOUT_MS, 1_000);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  }, FIRE_TIMEOUT_MS + 2 * RESOLVE_TIMEOUT_MS + 120_000);
});
