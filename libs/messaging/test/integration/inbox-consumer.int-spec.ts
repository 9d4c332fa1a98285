import { trace, type SpanContext } from '@opentelemetry/api';
import { recordSpans } from '@txn/testing';
import { DEAD_LETTER_HEADERS, headerText, injectTraceContext, type MessageHandler } from '../../src';
import { amountMoved, amountMovedSchema, FLOW_TIMEOUT_MS, Harness, recordingHandler, TEST_RETRY, waitFor, type AmountMoved } from './harness';

// The consuming side against real Kafka, registry and PostgreSQL: inbox dedup, in-place retries,
// dead letters, the crash window between transaction and offset commit, and trace continuity.

const SCHEMA = amountMovedSchema();

class PoisonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonError';
  }
}

describe('inbox consumer: each event applied once, failures parked, nothing stalls', () => {
  let harness: Harness;
  let tracing: ReturnType<typeof recordSpans>;
  const finishedSpans = (): ReturnType<typeof tracing.exporter.getFinishedSpans> => tracing.exporter.getFinishedSpans();

  beforeAll(async () => {
    tracing = recordSpans();
    harness = await Harness.create('messaging-consumer');
  });

  afterAll(async () => {
    await harness?.dispose();
    tracing.uninstall();
  });

  async function stream(name: string, numPartitions = 1): Promise<{ topic: string; group: string; subject: string }> {
    const topic = harness.scope.topic(name);
    await harness.scope.createTopics([{ topic, numPartitions }]);
    const subject = `${topic}-test.messaging.AmountMoved`;
    await harness.register(subject, SCHEMA);
    return { topic, group: harness.scope.groupId(name), subject };
  }

  it('applies a redelivered event once and reports the copy as duplicate', async () => {
    const { topic, group, subject } = await stream('duplicate');
    const event = amountMoved('acct-1', 1_500n);
    const other = amountMoved('acct-2', 2n ** 60n);
    await harness.produce(topic, subject, SCHEMA, event);
    await harness.produce(topic, subject, SCHEMA, event);
    await harness.produce(topic, subject, SCHEMA, other);

    const consumer = await harness.startConsumer({ topic, group, handler: recordingHandler(group) });
    await waitFor('3 messages handled', () => (consumer.outcomes('applied').length === 2 && consumer.outcomes('duplicate').length === 1 ? true : undefined), FLOW_TIMEOUT_MS);

    expect((await harness.effects(group)).map((row) => [row.event_id, row.amount_minor])).toEqual([
      [event.envelope.eventId, '1500'],
      [other.envelope.eventId, (2n ** 60n).toString()],
    ]);
    expect((await harness.inboxRows(group)).map((row) => row.outcome)).toEqual(['applied', 'applied']);
    expect(consumer.outcomes('duplicate')[0]).toMatchObject({ eventId: event.envelope.eventId, topic, partition: 0, offset: '1', correlationId: event.envelope.correlationId });
    const counted = await consumer.metrics.getSingleMetricAsString('messaging_consumer_messages_total');
    expect(counted).toContain(`messaging_consumer_messages_total{topic="${topic}",consumer_group="${group}",outcome="duplicate"} 1`);
    expect(counted).toContain(`outcome="applied"} 2`);
    // Only envelope ids are logged, never payload fields.
    expect(JSON.stringify(consumer.logs)).not.toMatch(/acct-1|accountId|amountMinor|1500/);
    await consumer.stop();
  });

  it('parks a poison message on the dead-letter topic with every header after the bounded attempts, and the next messages still flow', async () => {
    const { topic, group, subject } = await stream('poison');
    let poisonCalls = 0;
    const apply = recordingHandler(group);
    const handler: MessageHandler = async (tx, message) => {
      if ((message.value as AmountMoved).accountId === 'poison') {
        poisonCalls += 1;
        throw new PoisonError('the ledger refuses this account');
      }
      return apply(tx, message);
    };
    const before = amountMoved('acct-1', 1n);
    const poison = amountMoved('poison', 2n);
    const after = amountMoved('acct-3', 3n);
    const poisonBytes = await harness.codec.encode(subject, SCHEMA, poison);
    await harness.produce(topic, subject, SCHEMA, before);
    await harness.produceRaw(topic, 'poison', poisonBytes, { 'event-id': poison.envelope.eventId, 'custom-header': Buffer.from([0xff, 0x00, 0x01]) });
    await harness.produce(topic, subject, SCHEMA, after);

    const startedAt = Date.now();
    const consumer = await harness.startConsumer({ topic, group, handler });
    await waitFor('poison parked and the rest applied', () => (consumer.outcomes('dead_lettered').length === 1 && consumer.outcomes('applied').length === 2 ? true : undefined), FLOW_TIMEOUT_MS);

    expect((await harness.effects(group)).map((row) => row.account_id)).toEqual(['acct-1', 'acct-3']);
    // The sub-batch transaction tried it once, then the bounded in-place attempts.
    expect(poisonCalls).toBe(TEST_RETRY.maxAttempts + 1);
    const [parked] = await harness.readTopic(`${topic}.${group}.dlq`, 1);
    expect(parked?.key?.toString()).toBe('poison');
    expect(parked?.value?.equals(poisonBytes)).toBe(true);
    const headers = parked?.headers ?? {};
    expect(headerText(headers, 'event-id')).toBe(poison.envelope.eventId);
    expect(Buffer.from(headers['custom-header'] as Buffer).equals(Buffer.from([0xff, 0x00, 0x01]))).toBe(true);
    expect(headerText(headers, DEAD_LETTER_HEADERS.originalTopic)).toBe(topic);
    expect(headerText(headers, DEAD_LETTER_HEADERS.originalPartition)).toBe('0');
    expect(headerText(headers, DEAD_LETTER_HEADERS.originalOffset)).toBe('1');
    expect(headerText(headers, DEAD_LETTER_HEADERS.consumerGroup)).toBe(group);
    expect(headerText(headers, DEAD_LETTER_HEADERS.attempts)).toBe(String(TEST_RETRY.maxAttempts));
    expect(headerText(headers, DEAD_LETTER_HEADERS.errorClass)).toBe('PoisonError');
    expect(headerText(headers, DEAD_LETTER_HEADERS.errorMessage)).toBe('the ledger refuses this account');
    expect(headerText(headers, DEAD_LETTER_HEADERS.reason)).toBe('handler-failed');
    const first = Date.parse(headerText(headers, DEAD_LETTER_HEADERS.firstFailureAt) ?? '');
    const last = Date.parse(headerText(headers, DEAD_LETTER_HEADERS.lastFailureAt) ?? '');
    expect(first).toBeGreaterThanOrEqual(startedAt);
    expect(last).toBeGreaterThanOrEqual(first);
    expect(consumer.outcomes('dead_lettered')[0]).toMatchObject({ eventId: poison.envelope.eventId, errorClass: 'PoisonError', attempts: TEST_RETRY.maxAttempts });
    await consumer.stop();
  });

  it('parks undecodable bytes (bad magic byte, unknown schema id) at once, without calling the handler', async () => {
    const { topic, group, subject } = await stream('undecodable');
    let calls = 0;
    const apply = recordingHandler(group);
    const handler: MessageHandler = async (tx, message) => {
      calls += 1;
      return apply(tx, message);
    };
    const unknownId = Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0]), Buffer.from('whatever')]);
    await harness.produceRaw(topic, 'k-json', Buffer.from('{"not":"avro"}'));
    await harness.produceRaw(topic, 'k-unknown', unknownId);
    const good = amountMoved('acct-9', 9n);
    await harness.produce(topic, subject, SCHEMA, good);

    const consumer = await harness.startConsumer({ topic, group, handler });
    await waitFor('two parked, one applied', () => (consumer.outcomes('dead_lettered').length === 2 && consumer.outcomes('applied').length === 1 ? true : undefined), FLOW_TIMEOUT_MS);

    expect(calls).toBe(1);
    const parked = await harness.readTopic(`${topic}.${group}.dlq`, 2);
    expect(parked.map((record) => [record.key?.toString(), headerText(record.headers, DEAD_LETTER_HEADERS.errorClass), headerText(record.headers, DEAD_LETTER_HEADERS.attempts), headerText(record.headers, DEAD_LETTER_HEADERS.reason)])).toEqual([
      ['k-json', 'BadMagicByteError', '1', 'undecodable'],
      ['k-unknown', 'UnknownSchemaIdError', '1', 'undecodable'],
    ]);
    expect(parked[1]?.value?.equals(unknownId)).toBe(true);
    await consumer.stop();
  });

  it('retries a transient failure in place and keeps each key’s order', async () => {
    const { topic, group, subject } = await stream('transient', 3);
    const failuresLeft = new Map<string, number>();
    const apply = recordingHandler(group);
    const flaky = amountMoved('acct-a', 2n);
    failuresLeft.set(flaky.envelope.eventId, 2);
    const handler: MessageHandler = async (tx, message) => {
      const left = failuresLeft.get(message.eventId) ?? 0;
      if (left > 0) {
        failuresLeft.set(message.eventId, left - 1);
        throw new Error('serialization failure (simulated)');
      }
      return apply(tx, message);
    };
    const events: AmountMoved[] = [];
    for (let amount = 1n; amount <= 5n; amount += 1n) {
      events.push(amount === 2n ? flaky : amountMoved('acct-a', amount));
      events.push(amountMoved('acct-b', amount));
    }
    for (const event of events) await harness.produce(topic, subject, SCHEMA, event);

    const consumer = await harness.startConsumer({ topic, group, handler });
    await waitFor('all 10 applied', () => (consumer.outcomes('applied').length === 10 ? true : undefined), FLOW_TIMEOUT_MS);

    const effects = await harness.effects(group);
    const amountsOf = (account: string): string[] => effects.filter((row) => row.account_id === account).map((row) => row.amount_minor);
    expect(amountsOf('acct-a')).toEqual(['1', '2', '3', '4', '5']);
    expect(amountsOf('acct-b')).toEqual(['1', '2', '3', '4', '5']);
    expect(consumer.outcomes('dead_lettered')).toHaveLength(0);
    expect(await consumer.metrics.getSingleMetricAsString('messaging_consumer_handler_failures_total')).toContain('error_class="Error"} 2');
    await consumer.stop();
  });

  it('redelivers an event whose transaction committed but whose offset was not, and records it as duplicate', async () => {
    const { topic, group, subject } = await stream('crash');
    const event = amountMoved('acct-c', 7n);
    await harness.produce(topic, subject, SCHEMA, event);

    let crashes = 0;
    const crashing = await harness.startConsumer({
      topic,
      group,
      handler: recordingHandler(group),
      hooks: {
        beforeOffsetCommit: () => {
          crashes += 1;
          throw new Error('simulated crash between the inbox commit and the offset commit');
        },
      },
    });
    await waitFor('the first member applied and "crashed"', () => (crashes > 0 && crashing.outcomes('applied').length === 1 ? true : undefined), FLOW_TIMEOUT_MS);
    await crashing.stop();

    const successor = await harness.startConsumer({ topic, group, handler: recordingHandler(group) });
    await waitFor('the successor saw the redelivery', () => (successor.outcomes('duplicate').length >= 1 ? true : undefined), FLOW_TIMEOUT_MS);
    expect(successor.outcomes('duplicate')[0]).toMatchObject({ eventId: event.envelope.eventId, offset: '0' });
    expect(successor.outcomes('applied')).toHaveLength(0);
    expect(await harness.effects(group)).toHaveLength(1);
    await successor.stop();
  });

  it('continues the producer’s trace: the handler runs in a `handle <topic>` span that is the publish span’s child', async () => {
    const { topic, group, subject } = await stream('trace');
    const tracer = trace.getTracer('messaging-test');
    const event = amountMoved('acct-t', 1n);
    let producerSpan: SpanContext | undefined;
    await tracer.startActiveSpan('publish test', async (span) => {
      producerSpan = span.spanContext();
      const headers = injectTraceContext();
      await harness.produce(topic, subject, SCHEMA, event, { ...headers });
      span.end();
    });
    let handlerSpan: SpanContext | undefined;
    const apply = recordingHandler(group);
    const consumer = await harness.startConsumer({
      topic,
      group,
      handler: async (tx, message) => {
        handlerSpan = trace.getActiveSpan()?.spanContext();
        return apply(tx, message);
      },
    });
    await waitFor('applied', () => (consumer.outcomes('applied').length === 1 ? true : undefined), FLOW_TIMEOUT_MS);

    const handle = finishedSpans().find((span) => span.name === `handle ${topic}`);
    expect(handle?.spanContext().traceId).toBe(producerSpan?.traceId);
    expect(handle?.parentSpanContext?.spanId).toBe(producerSpan?.spanId);
    expect(handlerSpan?.spanId).toBe(handle?.spanContext().spanId);
    expect(handle?.attributes).toMatchObject({ 'messaging.destination.name': topic, 'messaging.consumer.group.name': group, 'messaging.message.id': event.envelope.eventId, 'txn.outcome': 'applied' });
    expect(consumer.outcomes('applied')[0]).toMatchObject({ traceId: producerSpan?.traceId });
    await consumer.stop();
  });
});
