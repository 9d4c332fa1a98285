import { CompressionTypes, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { OutgoingRecord, RecordPublisher } from '../ports';

export interface KafkaPublisherOptions {
  readonly clientId: string;
  readonly brokers: readonly string[];
  /** Per request to the broker; a publish that takes longer fails and is retried by the caller. */
  readonly requestTimeout_ms?: number;
}

/**
 * Why these producer settings:
 * - idempotent: the broker drops a retried batch it already wrote, so kafkajs' own retries
 *   cannot duplicate or reorder records within a partition;
 * - acks -1 (all in-sync replicas): a record is "sent" only when it survives a broker loss;
 * - maxInFlightRequests 1: kafkajs requires it for idempotence, and it keeps per-key order
 *   across retries;
 * - the default (Java-compatible) partitioner, named explicitly.
 */
export async function createKafkaPublisher(options: KafkaPublisherOptions): Promise<RecordPublisher> {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    logLevel: logLevel.WARN,
    requestTimeout: options.requestTimeout_ms ?? 10_000,
    connectionTimeout: 5_000,
  });
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // murmur2 on the key, as Java clients do: a key lands on the same partition whichever
    // client produced it (kafkajs' legacy partitioner would not).
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return {
    async publish(records: readonly OutgoingRecord[]): Promise<void> {
      if (records.length === 0) return;
      const byTopic = new Map<string, OutgoingRecord[]>();
      for (const record of records) byTopic.set(record.topic, [...(byTopic.get(record.topic) ?? []), record]);
      await producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic,
          messages: list.map((record) => ({ key: record.key, value: record.value, headers: { ...record.headers } })),
        })),
      });
    },
    close: () => producer.disconnect(),
  };
}
