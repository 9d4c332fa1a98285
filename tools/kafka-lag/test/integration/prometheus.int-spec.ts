import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { findRootDir, loadPlatformConfig, prometheusUrl } from '@txn/infra-local';
import { createSuiteScope, testEnvironment, waitFor, type SuiteScope } from '@txn/testing';

// The monitoring path on the real stack the test command brings up: the alert rules pass their
// promtool unit tests; Prometheus has loaded them and scrapes the lag exporter; a consumer group
// with a position and no member, made here, shows in Prometheus with members 0 and its lag.

const run = promisify(execFile);
const ROOT = findRootDir(__dirname);
const STEP_TIMEOUT_MS = 60_000;

interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

async function query(expression: string): Promise<Sample[]> {
  const response = await fetch(`${prometheusUrl(loadPlatformConfig(process.env, ROOT))}/api/v1/query?query=${encodeURIComponent(expression)}`);
  const body = (await response.json()) as { status: string; data: { result: Sample[] } };
  if (body.status !== 'success') throw new Error(`Prometheus refused ${expression}`);
  return body.data.result;
}

describe('alert rules and Prometheus (real stack)', () => {
  let scope: SuiteScope;

  beforeAll(async () => {
    scope = await createSuiteScope('prometheus');
  });

  afterAll(async () => {
    await scope?.dispose();
  });

  it('passes every rule file’s unit tests (promtool test rules) and syntax check', async () => {
    const rules = join(ROOT, 'deploy', 'prometheus', 'rules');
    const names = readdirSync(rules).filter((file) => file.endsWith('.rules.yml')).map((file) => file.slice(0, -'.rules.yml'.length));
    expect(names).toEqual(expect.arrayContaining(['platform', 'slo', 'messaging', 'money']));
    for (const name of names) {
      const checked = await run('promtool', ['check', 'rules', join(rules, `${name}.rules.yml`)]);
      expect(checked.stdout).toMatch(/SUCCESS: \d+ rules found/);
      const tested = await run('promtool', ['test', 'rules', join(rules, `${name}.rules.test.yml`)]);
      expect(tested.stdout).toContain('SUCCESS');
    }
  });

  it('has the rules loaded, scrapes the lag exporter, and sees a group with no member and its lag', async () => {
    const groups = (await (await fetch(`${prometheusUrl(loadPlatformConfig(process.env, ROOT))}/api/v1/rules`)).json()) as { data: { groups: { rules: { name: string }[] }[] } };
    expect(groups.data.groups.flatMap((group) => group.rules.map((rule) => rule.name))).toEqual(expect.arrayContaining(['ConsumerGroupWithoutMembers', 'ConsumerTimeLagHigh', 'LagExporterStale', 'ServiceDown', 'ApiErrorBudgetFastBurn', 'ApiErrorBudgetSlowBurn', 'ApiLatencyBudgetFastBurn', 'DeadLetterQueueNotEmpty', 'OutboxStuck', 'SagasOverdue', 'PaymentOutcomeUnknownUnresolved', 'PaymentPspBreakOpen', 'LedgerBreaksOpen', 'WebhookSignaturesMostlyRejected']));
    await waitFor('the lag exporter scraped', async () => ((await query('up{job="lag-exporter"}'))[0]?.value[1] === '1' ? true : undefined), STEP_TIMEOUT_MS);

    const topic = scope.topic('watched');
    await scope.createTopics([{ topic, numPartitions: 1 }]);
    const kafka = new Kafka({ clientId: 'prometheus-test', brokers: [...testEnvironment().kafka.brokers], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 7 }, (_, index) => ({ value: `r${index}` })) });
    await producer.disconnect();
    // A group that consumed two records and has no member now: its position is all the broker keeps.
    const group = scope.groupId('gone');
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '2' }] });
    await admin.disconnect();

    const lag = await waitFor('the group in Prometheus', async () => {
      const [sample] = await query(`kafka_consumergroup_lag{group="${group}"}`);
      return sample?.value[1] === '5' ? sample : undefined;
    }, STEP_TIMEOUT_MS);
    expect(lag.metric).toMatchObject({ topic, partition: '0', job: 'lag-exporter' });
    // kafkajs' setOffsets commits through a consumer of its own: once its session is over, the group has no member.
    await waitFor('the group without members in Prometheus', async () => ((await query(`kafka_consumergroup_members{group="${group}"}`))[0]?.value[1] === '0' ? true : undefined), STEP_TIMEOUT_MS);
    expect(Number((await query(`kafka_consumergroup_lag_seconds{group="${group}"}`))[0]?.value[1])).toBeGreaterThan(0);
  }, 150_000);
});
