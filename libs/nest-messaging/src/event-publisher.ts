import type { Envelope, EventContract } from '@txn/contracts';
import type { AvroCodec } from '@txn/messaging';
import { appendToOutbox, type OutboxMessage } from '@txn/outbox';
import type { SqlTransaction } from '@txn/sql';

/** Any generated event: the envelope first, then the payload. */
export interface EnvelopedEvent {
  readonly envelope: Envelope;
}

/** One event and the contract it is written with. */
export interface PendingEvent<T extends EnvelopedEvent = EnvelopedEvent> {
  readonly contract: EventContract<T>;
  readonly event: T;
}

export interface EventPublisherOptions {
  readonly codec: Pick<AvroCodec, 'encode'>;
  /**
   * The topic actually written for a contract topic (an environment prefix, a test's private
   * topic). The subject follows it: `<topic>-<record full name>` (TopicRecordNameStrategy, as the
   * deploy step registers). Default: the contract's topic and subject.
   */
  readonly topicOverrides?: Readonly<Record<string, string>>;
  /** Wake the relay at commit (pg_notify); see note 0008 for the cost. Default false. */
  readonly notifyRelay?: boolean;
}

/** The envelope disagrees with the contract it is published with. */
export class EnvelopeMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvelopeMismatchError';
  }
}

/**
 * Writes generated events to the outbox in the caller's transaction: encoded with the registry
 * codec (Confluent wire format, the registered schema's id), keyed by the aggregate id, with the
 * envelope's event id, correlation, causation and producer on the row. The relay publishes them
 * after the transaction commits. Pass the inbox transaction (`InboxContext.tx`), a pg transaction
 * (`fromPgClient`) or a TypeORM one (`fromEntityManager(manager)` from @txn/sql).
 */
export class EventPublisher {
  constructor(private readonly options: EventPublisherOptions) {}

  /**
   * The outbox message for one event, encoded (registry codec, the topic's subject), not written:
   * for a caller that writes its outbox row inside its own single statement.
   */
  async prepare<T extends EnvelopedEvent>(contract: EventContract<T>, event: T): Promise<OutboxMessage> {
    const { envelope } = event;
    if (envelope.eventType !== contract.eventType) {
      throw new EnvelopeMismatchError(`envelope.eventType is ${JSON.stringify(envelope.eventType)} but the event is published as ${contract.eventType}`);
    }
    const topic = this.options.topicOverrides?.[contract.topic] ?? contract.topic;
    const subject = topic === contract.topic ? contract.subject : `${topic}-${contract.fullName}`;
    return {
      eventId: envelope.eventId,
      topic,
      key: envelope.aggregateId,
      eventType: contract.eventType,
      value: await this.options.codec.encode(subject, contract.schema, event),
      correlationId: envelope.correlationId,
      ...(envelope.causationId === null ? {} : { causationId: envelope.causationId }),
      producer: envelope.producer,
    };
  }

  /** Appends one event; returns once the row is written (not sent: that happens after commit). */
  async publish<T extends EnvelopedEvent>(tx: SqlTransaction, contract: EventContract<T>, event: T): Promise<void> {
    await this.publishAll(tx, [{ contract, event } as PendingEvent]);
  }

  /** Appends events in this order (one aggregate's events keep it); one statement per 1,000. */
  async publishAll(tx: SqlTransaction, events: readonly PendingEvent[]): Promise<void> {
    if (events.length === 0) return;
    const messages = await Promise.all(events.map(({ contract, event }) => this.prepare(contract, event)));
    await appendToOutbox(tx, messages, { notify: this.options.notifyRelay ?? false });
  }
}
