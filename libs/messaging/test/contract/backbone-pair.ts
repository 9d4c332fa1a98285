import type { Logger } from 'pino';
import type { ConsumerTransport, RecordPublisher } from '../../src';

/** What the suite gives a pair to build its producing side (the relay's publisher). */
export interface PublisherSetup {
  readonly clientId: string;
  readonly brokers: readonly string[];
}

/** What the suite gives a pair to build one consumer group member's transport. */
export interface ConsumerTransportSetup {
  readonly clientId: string;
  readonly brokers: readonly string[];
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly logger: Logger;
  /**
   * Short in the suite, so the group notices a member that stopped without leaving within
   * seconds; the pair must pass it on.
   */
  readonly sessionTimeout_ms: number;
  readonly heartbeatInterval_ms: number;
}

/**
 * One Kafka client's implementation of both ends of the backbone: the `RecordPublisher` an
 * `OutboxRelay` publishes through, and the `ConsumerTransport` under `createInboxConsumer`.
 * Every pair must pass `defineBackboneContract`.
 */
export interface BackbonePair {
  /** Shown in the suite's name, e.g. `kafkajs 2.2.4`. */
  readonly name: string;
  createPublisher(setup: PublisherSetup): Promise<RecordPublisher>;
  createConsumerTransport(setup: ConsumerTransportSetup): ConsumerTransport;
}
