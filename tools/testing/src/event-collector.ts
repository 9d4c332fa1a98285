import { EVENT_TYPES, type AvroRecordSchema } from '@txn/contracts';
import { Kafka, logLevel } from 'kafkajs';

/** Bounds for the collector's Kafka client: a broker that does not answer fails the suite's setup, not a later wait. */
const CONNECTION_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** Records reach the suite within this long of being written (the broker holds a fetch at most this). */
const MAX_FETCH_WAIT_MS = 100;
/** A registry that does not answer a subject deletion in this long is left alone: cleanup is best effort. */
export const SUBJECT_DELETE_TIMEOUT_MS = 5_000;

/**
 * The decoding half of @txn/messaging's AvroCodec, described here rather than imported: the
 * messaging lib's own tests use this lib, and Nx refuses a dependency cycle between the two.
 */
export interface EventDecoder {
  decode(buffer: Buffer | null, readerSchemaFor: (writerFullName: string) => AvroRecordSchema | undefined): Promise<{ readonly eventType: string; readonly value: unknown }>;
}

/** One record as the collector read it, decoded into the contract's reader schema. */
export interface CollectedEvent {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | undefined;
  readonly eventType: string;
  readonly value: unknown;
}

export interface EventCollectorOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** A suite group (scope.groupId('reader')): reads every topic from the beginning, commits nothing. */
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly codec: EventDecoder;
  /** Called per record in partition order; a throw is kafkajs' to handle (the record is read again). */
  readonly collect: (event: CollectedEvent) => void;
}

export interface EventCollector {
  stop(): Promise<void>;
}

const READER_SCHEMAS = new Map(Object.values(EVENT_TYPES).map((contract) => [contract.fullName, contract.schema] as const));

/**
 * Reads the suite's topics from the beginning and hands each record, decoded with the codec into
 * the event contract's schema, to `collect`: what the service under test published, as a
 * downstream consumer sees it.
 */
export async function collectEvents(options: EventCollectorOptions): Promise<EventCollector> {
  const kafka = new Kafka({ clientId: options.clientId, brokers: [...options.brokers], logLevel: logLevel.NOTHING, connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS });
  const consumer = kafka.consumer({ groupId: options.groupId, maxWaitTimeInMs: MAX_FETCH_WAIT_MS, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const decoded = await options.codec.decode(message.value, (name) => READER_SCHEMAS.get(name));
        options.collect({ topic, partition, offset: message.offset, key: message.key?.toString(), eventType: decoded.eventType, value: decoded.value });
      },
    });
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }
  return { stop: () => consumer.disconnect() };
}

/**
 * Deletes the suite's registry subjects, soft first, then permanently (the ccompat API, like
 * Confluent's, deletes permanently only what is soft-deleted), ignoring failures: cleanup is best effort.
 */
export async function deleteSubjects(registryUrl: string, subjects: readonly string[], timeout_ms = SUBJECT_DELETE_TIMEOUT_MS): Promise<void> {
  for (const subject of subjects) {
    for (const suffix of ['', '?permanent=true']) {
      await fetch(`${registryUrl}/subjects/${encodeURIComponent(subject)}${suffix}`, { method: 'DELETE', signal: AbortSignal.timeout(timeout_ms) }).catch(() => undefined);
    }
  }
}
