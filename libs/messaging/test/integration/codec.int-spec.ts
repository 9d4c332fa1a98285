import type avro from 'avsc';
import {
  BadMagicByteError,
  CorruptPayloadError,
  IncompatibleSchemaError,
  NoReaderSchemaError,
  SchemaNotRegisteredError,
  UnknownSchemaIdError,
  type InboxMessage,
  type MessageHandler,
} from '../../src';
import { amountMoved, amountMovedSchema, FLOW_TIMEOUT_MS, Harness, waitFor, type AmountMoved } from './harness';

// The codec on the real registry: producers never register, consumers resolve the writer's schema
// (fetched by id) into their own, and every way bytes can be wrong has its own error type.

const V1 = amountMovedSchema();
const V2 = amountMovedSchema([{ name: 'memo', type: 'string', default: 'none' }]);
const AMOUNT_ABOVE_2_POW_53 = 2n ** 60n + 1n;

describe('Avro codec: Confluent wire format through the registry, evolving producers first', () => {
  let harness: Harness;
  let subject: string;
  let topic: string;

  beforeAll(async () => {
    harness = await Harness.create('messaging-codec');
    topic = harness.scope.topic('evolving');
    subject = `${topic}-test.messaging.AmountMoved`;
    await harness.scope.createTopics([{ topic, numPartitions: 1 }]);
    await harness.register(subject, V1);
    await harness.register(subject, V2);
  });

  afterAll(async () => {
    await harness?.dispose();
  });

  it('refuses to encode with a schema the deploy step did not register, and says what to run', async () => {
    const unregistered = amountMovedSchema([{ name: 'other', type: 'int', default: 0 }]);
    const encoding = harness.codec.encode(subject, unregistered, amountMoved('a', 1n));
    await expect(encoding).rejects.toThrow(SchemaNotRegisteredError);
    await expect(encoding).rejects.toThrow(/\.\/platform schemas register/);
    await expect(harness.codec.encode(`${subject}-missing`, V1, amountMoved('a', 1n))).rejects.toThrow(SchemaNotRegisteredError);
  });

  it('decodes each version into the reader’s shape, bigint longs intact, with one codec holding both versions', async () => {
    const old = amountMoved('acct-1', AMOUNT_ABOVE_2_POW_53);
    const newer = amountMoved('acct-2', 5n, { memo: 'split payout' });
    const oldBytes = await harness.codec.encode(subject, V1, old);
    const newBytes = await harness.codec.encode(subject, V2, newer);
    expect(oldBytes.readInt32BE(1)).not.toBe(newBytes.readInt32BE(1));

    const asV1 = (): avro.Schema => V1;
    const asV2 = (): avro.Schema => V2;
    const oldByNew = await harness.codec.decode(oldBytes, asV2);
    expect(oldByNew).toMatchObject({ eventType: 'AmountMoved', writerFullName: 'test.messaging.AmountMoved', writerSchemaId: oldBytes.readInt32BE(1) });
    expect(oldByNew.value).toMatchObject({ accountId: 'acct-1', amountMinor: AMOUNT_ABOVE_2_POW_53, memo: 'none' });
    const newByOld = await harness.codec.decode(newBytes, asV1);
    expect(newByOld.value).toMatchObject({ accountId: 'acct-2', amountMinor: 5n });
    expect(newByOld.value).not.toHaveProperty('memo');
    expect((await harness.codec.decode(newBytes, asV2)).value).toMatchObject({ memo: 'split payout' });
  });

  it('types every decoding failure', async () => {
    const bytes = await harness.codec.encode(subject, V1, amountMoved('acct-1', 1n));
    const amountAsString = { ...(V1 as object), fields: (V1 as { fields: { name: string }[] }).fields.map((field) => (field.name === 'amountMinor' ? { name: 'amountMinor', type: 'string' } : field)) };
    await expect(harness.codec.decode(Buffer.from('{"json":1}'), () => V1)).rejects.toThrow(BadMagicByteError);
    await expect(harness.codec.decode(null, () => V1)).rejects.toThrow(BadMagicByteError);
    await expect(harness.codec.decode(Buffer.from([0, 0x7f, 0xff, 0xff, 0xf1, 1]), () => V1)).rejects.toThrow(UnknownSchemaIdError);
    await expect(harness.codec.decode(bytes, () => amountAsString as avro.Schema)).rejects.toThrow(IncompatibleSchemaError);
    await expect(harness.codec.decode(bytes.subarray(0, bytes.length - 3), () => V1)).rejects.toThrow(CorruptPayloadError);
    await expect(harness.codec.decode(Buffer.concat([bytes, Buffer.from([1, 2])]), () => V1)).rejects.toThrow(CorruptPayloadError);
    await expect(harness.codec.decode(bytes, () => undefined)).rejects.toThrow(NoReaderSchemaError);
  });

  it('lets an old consumer read a new message and a new consumer read an old one, through Kafka and the inbox', async () => {
    const old = amountMoved('acct-old', 1n);
    const newer = amountMoved('acct-new', 2n, { memo: 'from v2' });
    await harness.produce(topic, subject, V1, old);
    await harness.produce(topic, subject, V2, newer);

    const seen = new Map<string, AmountMoved[]>();
    const capture =
      (label: string): MessageHandler =>
      async (_tx, message: InboxMessage) => {
        seen.set(label, [...(seen.get(label) ?? []), message.value as AmountMoved]);
        return 'applied';
      };
    const oldConsumer = await harness.startConsumer({ topic, group: harness.scope.groupId('old-reader'), handler: capture('old'), readerSchema: V1 });
    const newConsumer = await harness.startConsumer({ topic, group: harness.scope.groupId('new-reader'), handler: capture('new'), readerSchema: V2 });
    await waitFor('both consumers applied both messages', () => (oldConsumer.outcomes('applied').length === 2 && newConsumer.outcomes('applied').length === 2 ? true : undefined), FLOW_TIMEOUT_MS);

    expect(seen.get('old')?.map((value) => [value.accountId, 'memo' in value])).toEqual([
      ['acct-old', false],
      ['acct-new', false],
    ]);
    expect(seen.get('new')?.map((value) => [value.accountId, value.memo])).toEqual([
      ['acct-old', 'none'],
      ['acct-new', 'from v2'],
    ]);
    await oldConsumer.stop();
    await newConsumer.stop();
  });
});
