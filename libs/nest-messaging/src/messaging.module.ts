import { Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { Logger } from 'pino';
import { AvroCodec, createKafkaPublisher, type RecordPublisher } from '@txn/messaging';
import { OutboxRelay, type OutboxRelayOptions } from '@txn/outbox';
import { InboxErrorInterceptor } from './error-interceptor';
import { EventPublisher, type EventPublisherOptions } from './event-publisher';

export const MESSAGING_OPTIONS = Symbol('txn-messaging-options');

export interface RelayModuleOptions extends Omit<OutboxRelayOptions, 'publisher' | 'logger'> {
  /** The relay's own Kafka producer (idempotent, acks=all: @txn/messaging createKafkaPublisher). */
  readonly kafka: { readonly clientId: string; readonly brokers: readonly string[] };
}

export interface MessagingModuleOptions extends Omit<EventPublisherOptions, 'codec'> {
  /** Shared with the InboxTransport, so both use one schema cache. */
  readonly codec: AvroCodec;
  readonly logger: Logger;
  /** The service's outbox relay, started on bootstrap and stopped on shutdown; `false`: none here. */
  readonly relay: RelayModuleOptions | false;
}

/** Runs the service's OutboxRelay for the life of the Nest application. */
export class OutboxRelayLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private publisher: RecordPublisher | undefined;
  private relay: OutboxRelay | undefined;

  constructor(private readonly options: MessagingModuleOptions) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.relay === false || this.relay !== undefined) return;
    const { kafka, ...relayOptions } = this.options.relay;
    this.publisher = await createKafkaPublisher({ clientId: kafka.clientId, brokers: kafka.brokers });
    this.relay = new OutboxRelay({ ...relayOptions, publisher: this.publisher, logger: this.options.logger });
    this.relay.start();
  }

  /**
   * Nest closes the transports before it runs this hook, so no handler writes outbox rows any
   * more; rows still pending are published by the next leader (or this service's next start).
   */
  async onApplicationShutdown(): Promise<void> {
    const relay = this.relay;
    const publisher = this.publisher;
    this.relay = undefined;
    this.publisher = undefined;
    await relay?.stop();
    await publisher?.close();
  }

  /** The running relay, for health checks and tests. */
  current(): OutboxRelay | undefined {
    return this.relay;
  }
}

/**
 * The producing side of the backbone for a Nest service: the codec, the EventPublisher (outbox
 * writes in the caller's transaction), the relay's lifecycle, and the interceptor that keeps a
 * handler's real error for the InboxTransport's dead letters. Global: feature modules inject
 * EventPublisher without importing this module again.
 */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        { provide: AvroCodec, useValue: options.codec },
        {
          provide: EventPublisher,
          useFactory: () =>
            new EventPublisher({
              codec: options.codec,
              ...(options.topicOverrides === undefined ? {} : { topicOverrides: options.topicOverrides }),
              ...(options.notifyRelay === undefined ? {} : { notifyRelay: options.notifyRelay }),
            }),
        },
        { provide: OutboxRelayLifecycle, useFactory: () => new OutboxRelayLifecycle(options) },
        { provide: APP_INTERCEPTOR, useClass: InboxErrorInterceptor },
      ],
      exports: [AvroCodec, EventPublisher, OutboxRelayLifecycle, MESSAGING_OPTIONS],
    };
  }
}
