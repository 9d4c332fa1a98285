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

// ---------------------------------------------------------------------------------------------
// Consuming side. Records here are raw bytes: the consumer runtime decodes them, and dead letters
// and replays must carry the original key, value and headers byte for byte.

/** Header values as the broker returns them (kafkajs gives Buffers; a header may repeat). */
export type RawHeaders = Readonly<Record<string, Buffer | string | readonly (Buffer | string)[] | undefined>>;

/** One record as read from a partition. */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offsets are 64-bit: kept as the decimal string the client returns. */
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: RawHeaders;
  /** Broker or producer timestamp, ms since the epoch, as a decimal string. */
  readonly timestamp: string;
}

/** A record to write byte for byte (dead letters, replays). */
export interface RawRecord {
  readonly topic: string;
  readonly key: Buffer | string | null;
  readonly value: Buffer | null;
  readonly headers: RawHeaders;
}

/** The records of one partition handed to the runtime in one call, in offset order. */
export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly ConsumedRecord[];
}

/** What the runtime may do while it works on a batch. */
export interface BatchControl {
  /** Tells the group coordinator this member is alive; call during long waits. */
  heartbeat(): Promise<void>;
  /** Commits `offset` (the next offset to read, i.e. last handled + 1) of the batch's partition. */
  commit(nextOffset: string): Promise<void>;
  /** False once stop() was called: abandon the batch without committing. */
  isRunning(): boolean;
  /** True once the partition was revoked by a rebalance: abandon the batch without committing. */
  isStale(): boolean;
}

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  /** Broker topic configs, e.g. `retention.ms`. */
  readonly config: Readonly<Record<string, string>>;
}

/** A consumer group member plus the few admin and produce calls the consumer runtime needs. */
export interface ConsumerTransport {
  /** Creates missing topics (never relying on broker auto-creation); existing ones are left as they are. */
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  /** Writes records and resolves once all in-sync replicas acknowledged them. */
  publishRaw(records: readonly RawRecord[]): Promise<void>;
  /**
   * Joins the group, subscribes and calls `onBatch` for each fetched partition batch; offsets are
   * committed only through `BatchControl.commit`. Resolves once the member is running.
   */
  run(onBatch: (batch: PartitionBatch, control: BatchControl) => Promise<void>): Promise<void>;
  /** Leaves the group and disconnects; an unfinished batch is abandoned without committing. */
  stop(): Promise<void>;
}
