import type { Envelope, EventContract } from '@txn/contracts';
import { AvroCodec, createKafkaPublisher, MESSAGE_HEADERS } from '@txn/messaging';
import { testEnvironment, type Cleanups } from '@txn/testing';

export interface SuiteSender {
  /** The registry codec the sender encodes with (a reader may share it). */
  readonly codec: AvroCodec;
  /** Encodes with the registry codec and publishes to the suite topic of the contract's topic, keyed by `key`. */
  send<T extends { readonly envelope: Envelope }>(contract: EventContract<T>, event: T, key: string): Promise<void>;
}

/** What a test sends a service, in the platform's wire format, to the suite topics; closed at clean-up. */
export async function suiteSender(clientId: string, topicOf: Readonly<Record<string, string>>, cleanups: Cleanups): Promise<SuiteSender> {
  const environment = testEnvironment();
  const publisher = await createKafkaPublisher({ clientId, brokers: environment.kafka.brokers });
  cleanups.push(() => publisher.close());
  const codec = new AvroCodec({ registryUrl: environment.schemaRegistry.url, clientId });
  return {
    codec,
    async send(contract, event, key) {
      const topic = topicOf[contract.topic];
      if (topic === undefined) throw new Error(`${contract.eventType} is not on a topic of this suite`);
      const value = await codec.encode(`${topic}-${contract.fullName}`, contract.schema, event);
      const headers = { [MESSAGE_HEADERS.eventId]: event.envelope.eventId, [MESSAGE_HEADERS.eventType]: contract.eventType, [MESSAGE_HEADERS.correlationId]: event.envelope.correlationId };
      await publisher.publish([{ topic, key, value, headers }]);
    },
  };
}
