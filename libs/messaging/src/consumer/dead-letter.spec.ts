import fc from 'fast-check';
import type { ConsumedRecord } from '../ports';
import { DEAD_LETTER_HEADERS, deadLetterRecord, deadLetterTopicOf, parseDeadLetterTopic, readDeadLetterInfo, REPLAYED_FROM_HEADER, replayRecord } from './dead-letter';

const headerNames = fc.stringMatching(/^[a-z][a-z-]{0,15}$/).filter((name) => !name.startsWith('x-dlq-') && name !== REPLAYED_FROM_HEADER);
const records = fc.record({
  topic: fc.constantFrom('booking.events.v1', 'payment.events.v1'),
  partition: fc.integer({ min: 0, max: 63 }),
  offset: fc.bigInt({ min: 0n, max: 2n ** 62n }).map(String),
  key: fc.option(fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)), { nil: null }),
  value: fc.option(fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)), { nil: null }),
  headers: fc.dictionary(headerNames, fc.uint8Array({ maxLength: 30 }).map((bytes) => Buffer.from(bytes))),
  timestamp: fc.constant('0'),
}) as fc.Arbitrary<ConsumedRecord>;

const failure = { reason: 'handler-failed' as const, attempts: 3, firstFailureAt: new Date(0), lastFailureAt: new Date(1_000), error: new TypeError('boom') };

describe('dead letters', () => {
  it('name the topic and group they park for, and the name reads back (the alert labels a dead-letter queue with both)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]+(\.[a-z]+){1,3}\.v[1-9]$/), fc.stringMatching(/^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+){0,3}$/), (topic, group) => {
        expect(parseDeadLetterTopic(deadLetterTopicOf(topic, group))).toEqual({ topic, consumerGroup: group });
      }),
    );
    expect(parseDeadLetterTopic('test.kafka_ab12.booking.commands.v1.test.kafka_ab12.booking.dlq')).toEqual({ topic: 'test.kafka_ab12.booking.commands.v1', consumerGroup: 'test.kafka_ab12.booking' });
    expect(parseDeadLetterTopic('test.kafka_ab12.payment-events-v1.test.kafka_ab12.ledger.dlq')).toEqual({ topic: 'test.kafka_ab12.payment-events-v1', consumerGroup: 'test.kafka_ab12.ledger' });
    expect(parseDeadLetterTopic('orders.dlq')).toBeUndefined();
  });

  it('park a message with its key, value and headers untouched and a replay restores exactly them', () => {
    fc.assert(
      fc.property(records, (record) => {
        const parked = deadLetterRecord(record, 'ledger', failure);
        expect(parked.topic).toBe(deadLetterTopicOf(record.topic, 'ledger'));
        const asRead: ConsumedRecord = { ...record, topic: parked.topic, partition: 0, offset: '7', key: parked.key as Buffer | null, headers: parked.headers };
        const replay = replayRecord(asRead);
        expect(replay?.topic).toBe(record.topic);
        expect(replay?.key).toEqual(record.key);
        expect(replay?.value).toEqual(record.value);
        const { [REPLAYED_FROM_HEADER]: from, ...rest } = replay?.headers ?? {};
        expect(from).toBe(`${parked.topic}:0:7`);
        expect(rest).toEqual(record.headers);
      }),
    );
  });

  it('say where and why the message failed', () => {
    const record: ConsumedRecord = { topic: 't', partition: 2, offset: '41', key: null, value: null, headers: {}, timestamp: '0' };
    const info = readDeadLetterInfo(deadLetterRecord(record, 'g', failure).headers);
    expect(info).toEqual({
      originalTopic: 't',
      originalPartition: 2,
      originalOffset: '41',
      consumerGroup: 'g',
      attempts: 3,
      firstFailureAt: '1970-01-01T00:00:00.000Z',
      lastFailureAt: '1970-01-01T00:00:01.000Z',
      errorClass: 'TypeError',
      errorMessage: 'boom',
      reason: 'handler-failed',
    });
    expect(DEAD_LETTER_HEADERS.originalTopic).toBe('x-dlq-original-topic');
  });
});
