/**
 * The only things the rest of the platform knows about the Kafka client. kafkajs implements them
 * today (src/kafka); @confluentinc/kafka-javascript could tomorrow without touching a caller.
 */

/** One record, already encoded (Confluent wire format value), as it goes onto a topic. */
export interface OutgoingRecord {
  readonly topic: string;
  /** The aggregate id: one aggregate's records stay on one partition, in order. */
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface RecordPublisher {
  /**
   * Publishes records and resolves once every one is acknowledged by all in-sync replicas.
   * Records of one key keep the order of the array, and calls made one after another keep
   * their order too. Rejects if any record was not acknowledged: the caller retries them all
   * (duplicates are absorbed by consumers' inboxes).
   */
  publish(records: readonly OutgoingRecord[]): Promise<void>;
  close(): Promise<void>;
}
