import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import { testEnvironment, waitFor } from '@txn/testing';

// Byte-for-byte copies of records already on a topic: what a producer retry after a lost ack, a
// relay re-sending after a crash, or an operator's replay put on the topic a second time.

/** Bounded Kafka client calls: a broker that does not answer fails the step, not the run. */
const CONNECTION_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;

export interface RawRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

function client(clientId: string): Kafka {
  const environment = testEnvironment();
  return new Kafka({ clientId, brokers: [...environment.kafka.brokers], logLevel: logLevel.NOTHING, connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS });
}

/**
 * Reads the record at `offset` of one partition, as stored. `groupId` should be a suite group
 * (the scope's prefix): a one-off group that commits nothing.
 */
export async function readRawRecord(at: { readonly topic: string; readonly partition: number; readonly offset: string }, groupPrefix: string, timeout_ms: number): Promise<RawRecord> {
  const consumer = client('e2e-raw-reader').consumer({ groupId: `${groupPrefix}.raw-reader-${randomUUID().slice(0, 8)}`, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  let found: RawRecord | undefined;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [at.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        if (partition !== at.partition || message.offset !== at.offset) return;
        found = { topic, partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers ?? {} };
      },
    });
    return await waitFor(`record ${at.topic}/${at.partition}@${at.offset}`, () => found, timeout_ms);
  } finally {
    await consumer.disconnect();
  }
}

/** Appends an exact copy (key, value, headers) to the same topic and partition; acks from all in-sync replicas. */
export async function republish(record: RawRecord): Promise<void> {
  const producer = client('e2e-raw-republisher').producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic: record.topic, acks: -1, timeout: REQUEST_TIMEOUT_MS, messages: [{ partition: record.partition, key: record.key, value: record.value, headers: record.headers }] });
  } finally {
    await producer.disconnect();
  }
}
