import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Pool } from 'pg';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { BatchControl, ConsumedRecord, ConsumerTransport, PartitionBatch } from '../ports';
import { createInboxConsumer, type InboxMessage, type MessageHandler } from './runtime';

// What the runtime does with the database and the offsets, in the order it does it. The inbox's
// dedup against real PostgreSQL and Kafka is in test/integration and test/contract; these fakes
// only record which statements were sent and when the offset was committed.

const TOPIC = 'unit.events.v1';
const HANDLED = 'AmountMoved';
const IGNORED = 'SomethingElseHappened';

interface Fixture {
  readonly events: string[];
  readonly ignored: string[];
  readonly logs: { msg: string; eventId?: string }[];
  readonly deliver: (records: readonly ConsumedRecord[], control?: Partial<BatchControl>) => Promise<void>;
}

function record(offset: number, eventType: string): ConsumedRecord {
  const value = { envelope: { eventId: randomUUID(), eventType } };
  return { topic: TOPIC, partition: 0, offset: String(offset), key: null, value: Buffer.from(JSON.stringify(value)), headers: {}, timestamp: '0' };
}

function eventIdOf(record: ConsumedRecord): string {
  return (JSON.parse(String(record.value)) as { envelope: { eventId: string } }).envelope.eventId;
}

/** A pool whose connections log each statement's first words; the inbox claim returns every id it was given. */
function recordingPool(events: string[]): Pool {
  const client = {
    query(text: string, params: readonly unknown[] = []): Promise<{ rows: object[] }> {
      const statement = text.trim().split(/\s+/).slice(0, 3).join(' ');
      if (statement.startsWith('INSERT INTO inbox')) {
        const ids = params[1] as string[];
        events.push(`claim ${ids.join(',')}`);
        return Promise.resolve({ rows: ids.map((event_id) => ({ event_id })) });
      }
      events.push(statement);
      return Promise.resolve({ rows: [] });
    },
    release(): void {
      events.push('release');
    },
    // A checked-out connection is listened to for errors (@txn/sql checkOut).
    on: () => client,
    removeListener: () => client,
  };
  return {
    connect: () => {
      events.push('connect');
      return Promise.resolve(client);
    },
  } as unknown as Pool;
}

function fixture(handler: MessageHandler): Fixture {
  const events: string[] = [];
  const ignored: string[] = [];
  const logs: { msg: string; eventId?: string }[] = [];
  let onBatch: ((batch: PartitionBatch, control: BatchControl) => Promise<void>) | undefined;
  const transport: ConsumerTransport = {
    ensureTopics: () => Promise.resolve(),
    publishRaw: (records) => {
      events.push(`park ${records.length}`);
      return Promise.resolve();
    },
    run: (callback) => {
      onBatch = callback;
      return Promise.resolve();
    },
    stop: () => Promise.resolve(),
  };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback): void {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as { msg: string });
      callback();
    },
  });
  const consumer = createInboxConsumer({
    consumerGroup: 'unit',
    topics: [TOPIC],
    transport,
    codec: {
      decode: (buffer) => {
        const value = JSON.parse(String(buffer)) as { envelope: { eventType: string } };
        return Promise.resolve({ writerSchemaId: 1, eventType: value.envelope.eventType, writerFullName: `unit.${value.envelope.eventType}`, value });
      },
    },
    readerSchemaFor: () => 'unused',
    pool: {
      ...recordingPool(events),
      // start() checks that the inbox table exists.
      query: () => Promise.resolve({ rows: [{ found: 'inbox' }] }),
    } as unknown as Pool,
    handler,
    handles: (eventType) => eventType === HANDLED,
    onIgnored: (message: InboxMessage) => ignored.push(message.eventId),
    logger: pino({ level: 'debug', base: undefined }, sink),
    metrics: new Registry(),
    retry: { maxAttempts: 2, initialDelay_ms: 0, maxDelay_ms: 0 },
  });
  return {
    events,
    ignored,
    logs,
    deliver: async (records, control = {}) => {
      await consumer.start();
      const batch: PartitionBatch = { topic: TOPIC, partition: 0, records };
      await onBatch?.(batch, {
        heartbeat: () => Promise.resolve(),
        commit: (nextOffset) => {
          events.push(`commit ${nextOffset}`);
          return Promise.resolve();
        },
        isRunning: () => true,
        isStale: () => false,
        ...control,
      });
    },
  };
}

const applies: MessageHandler = (tx, message) => tx.query(`UPDATE effects ${message.eventId}`).then(() => 'applied');

describe('inbox consumer: event types the handler does not take', () => {
  it('acknowledges a batch of them without a connection, a transaction or an inbox row, and commits its offset', async () => {
    const handled: string[] = [];
    const { events, ignored, logs, deliver } = fixture((tx, message) => {
      handled.push(message.eventId);
      return Promise.resolve('applied');
    });
    const records = [record(10, IGNORED), record(11, IGNORED)];
    await deliver(records);

    expect(events).toEqual(['commit 12']);
    expect(handled).toEqual([]);
    expect(ignored).toEqual(records.map(eventIdOf));
    expect(logs.filter((line) => line.msg.startsWith('message ignored')).map((line) => line.eventId)).toEqual(records.map(eventIdOf));
  });

  it('claims only the handled messages of a mixed batch and commits the batch after its transaction', async () => {
    const { events, ignored, deliver } = fixture(applies);
    const records = [record(20, HANDLED), record(21, IGNORED), record(22, HANDLED), record(23, IGNORED)];
    const [a, b, c, d] = records.map(eventIdOf);
    await deliver(records);

    expect(events).toEqual(['connect', 'BEGIN; SET LOCAL', `claim ${a},${c}`, `UPDATE effects ${a}`, `UPDATE effects ${c}`, 'UPDATE inbox AS', 'COMMIT', 'release', 'commit 24']);
    expect(ignored).toEqual([b, d]);
  });

  it('after a rolled-back sub-batch, commits an ignored message’s offset only once the handled message before it committed', async () => {
    let failures = 0;
    const { events, ignored, deliver } = fixture((tx, message) => {
      // The batch's first attempt fails: the runtime goes on one message per transaction.
      if (failures === 0) {
        failures += 1;
        return Promise.reject(new Error('transient'));
      }
      return applies(tx, message);
    });
    const records = [record(30, HANDLED), record(31, IGNORED), record(32, HANDLED)];
    const [a, b, c] = records.map(eventIdOf);
    await deliver(records);

    expect(events.slice(0, events.indexOf('ROLLBACK') + 1)).toEqual(['connect', 'BEGIN; SET LOCAL', `claim ${a},${c}`, 'ROLLBACK']);
    expect(events.slice(events.indexOf('ROLLBACK') + 1)).toEqual([
      'release',
      ...['connect', 'BEGIN; SET LOCAL', `claim ${a}`, `UPDATE effects ${a}`, 'UPDATE inbox AS', 'COMMIT', 'release', 'commit 31'],
      'commit 32',
      ...['connect', 'BEGIN; SET LOCAL', `claim ${c}`, `UPDATE effects ${c}`, 'UPDATE inbox AS', 'COMMIT', 'release', 'commit 33'],
    ]);
    // Reported once, by the one-by-one pass, not also for the rolled-back sub-batch.
    expect(ignored).toEqual([b]);
  });

  it('never commits an ignored message’s offset while the handled message before it has not committed', async () => {
    let stale = false;
    const { events, ignored, deliver } = fixture(() => {
      // The partition is revoked while the handler fails: the batch is abandoned uncommitted.
      stale = true;
      return Promise.reject(new Error('transient'));
    });
    await deliver([record(40, HANDLED), record(41, IGNORED)], { isStale: () => stale });

    expect(events.filter((event) => event.startsWith('commit') || event === 'COMMIT')).toEqual([]);
    expect(ignored).toEqual([]);
  });
});
