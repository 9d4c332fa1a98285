import { testEnvironment } from '@txn/testing';
import { headerText, listDeadLetters, REPLAYED_FROM_HEADER, replayDeadLetters, showDeadLetter, type DeadLetterAdminOptions, type MessageHandler } from '../../src';
import { amountMoved, amountMovedSchema, FLOW_TIMEOUT_MS, Harness, recordingHandler, waitFor, type AmountMoved } from './harness';

// Parked messages are replayed to their original topic once the cause is fixed; the inbox makes a
// second replay harmless, and the replayer's mark keeps `replay --all` from repeating itself.

const SCHEMA = amountMovedSchema();

describe('dead letters: list, show, replay', () => {
  let harness: Harness;
  let admin: DeadLetterAdminOptions;

  beforeAll(async () => {
    harness = await Harness.create('messaging-replay');
    admin = { brokers: testEnvironment().kafka.brokers, clientId: `test-${harness.scope.id}` };
  });

  afterAll(async () => {
    await harness?.dispose();
  });

  it('replays a parked message once the handler is fixed, applies it once, and a second replay is harmless', async () => {
    const topic = harness.scope.topic('payments');
    const group = harness.scope.groupId('ledger');
    const subject = `${topic}-test.messaging.AmountMoved`;
    const deadLetterTopic = `${topic}.${group}.dlq`;
    await harness.scope.createTopics([{ topic, numPartitions: 2 }]);
    await harness.register(subject, SCHEMA);

    let fixed = false;
    const apply = recordingHandler(group);
    const handler: MessageHandler = async (tx, message) => {
      if (!fixed && (message.value as AmountMoved).accountId === 'acct-unknown') throw new RangeError('account acct-unknown is not open yet');
      return apply(tx, message);
    };
    const parkedEvent = amountMoved('acct-unknown', 987_654_321n);
    await harness.produce(topic, subject, SCHEMA, parkedEvent);
    await harness.produce(topic, subject, SCHEMA, amountMoved('acct-open', 1n));
    const consumer = await harness.startConsumer({ topic, group, handler });
    await waitFor('one parked, one applied', () => (consumer.outcomes('dead_lettered').length === 1 && consumer.outcomes('applied').length === 1 ? true : undefined), FLOW_TIMEOUT_MS);

    const listed = (await listDeadLetters(admin)).find((summary) => summary.topic === deadLetterTopic);
    expect(listed).toEqual({ topic: deadLetterTopic, lowOffset: '0', highOffset: '1', replayedUpTo: '0', pending: 1 });
    const [shown] = await showDeadLetter(admin, deadLetterTopic);
    expect(shown).toMatchObject({ offset: '0', key: 'acct-unknown', eventId: parkedEvent.envelope.eventId, replayed: false });
    expect(shown?.failure).toMatchObject({ originalTopic: topic, consumerGroup: group, errorClass: 'RangeError', reason: 'handler-failed' });
    expect(JSON.stringify(shown)).not.toContain('987654321');

    fixed = true;
    const first = await replayDeadLetters(admin, deadLetterTopic, { all: true });
    expect(first).toMatchObject({ replayedOffsets: ['0'], replayedUpTo: '1', remaining: 0 });
    await waitFor('the replayed event applied', () => (consumer.outcomes('applied').some((line) => line.eventId === parkedEvent.envelope.eventId) ? true : undefined), FLOW_TIMEOUT_MS);
    const replayedLine = consumer.outcomes('applied').find((line) => line.eventId === parkedEvent.envelope.eventId);
    expect(replayedLine).toMatchObject({ topic });

    // `--all` again: nothing new to replay.
    expect(await replayDeadLetters(admin, deadLetterTopic, { all: true })).toMatchObject({ replayedOffsets: [], replayedUpTo: '1' });
    // An explicit replay of the same offset re-publishes it; the inbox drops the copy.
    expect(await replayDeadLetters(admin, deadLetterTopic, { offset: '0' })).toMatchObject({ replayedOffsets: ['0'] });
    await waitFor('the second replay seen as duplicate', () => (consumer.outcomes('duplicate').some((line) => line.eventId === parkedEvent.envelope.eventId) ? true : undefined), FLOW_TIMEOUT_MS);

    expect((await harness.effects(group)).filter((row) => row.event_id === parkedEvent.envelope.eventId)).toHaveLength(1);
    expect((await showDeadLetter(admin, deadLetterTopic, { offset: '0' }))[0]?.replayed).toBe(true);
    const onSource = await harness.readTopic(topic, 4);
    const replays = onSource.filter((record) => headerText(record.headers, REPLAYED_FROM_HEADER) !== undefined);
    expect(replays.map((record) => headerText(record.headers, REPLAYED_FROM_HEADER))).toEqual([`${deadLetterTopic}:0:0`, `${deadLetterTopic}:0:0`]);
    // Same key, same partitioner: a replay lands behind its key's history, on the original partition.
    const original = onSource.find((record) => headerText(record.headers, REPLAYED_FROM_HEADER) === undefined && record.key?.toString() === 'acct-unknown');
    expect(replays.map((record) => record.partition)).toEqual([original?.partition, original?.partition]);
    await consumer.stop();
  });
});
