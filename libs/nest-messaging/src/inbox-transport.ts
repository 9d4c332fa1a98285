import { Server, type CustomTransportStrategy, type MessageHandler as NestMessageHandler } from '@nestjs/microservices';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { EVENT_TYPES } from '@txn/contracts';
import {
  createInboxConsumer,
  createKafkaConsumerTransport,
  type AvroCodec,
  type ConsumerTransport,
  type HandlerOutcome,
  type InboxConsumer,
  type InboxMessage,
  type RetryPolicy,
} from '@txn/messaging';
import type { SqlTransaction } from '@txn/sql';
import { NestHandlerError, settleHandlerResult, toOutcome, withinTimeout } from './handler-result';
import { InboxContext } from './inbox-context';
import { contractReaderSchemas, type ContractCatalogue, type UnhandledEventTypePolicy } from './reader-schemas';
import { scopeTransaction } from './scoped-transaction';

/**
 * Longest a handler may take for one message. Below the consumer's 30 s session timeout (the
 * runtime does not heartbeat while a handler runs) and above the 10 s statement timeout, so a
 * handler stuck between statements (an external call, a forgotten promise) is failed, retried,
 * then parked instead of holding its partition and its transaction for ever.
 */
export const DEFAULT_HANDLER_TIMEOUT_MS = 15_000;
const MAX_HANDLER_TIMEOUT_MS = 25_000;

export const INBOX_TRANSPORT = Symbol('txn-inbox-transport');

export interface InboxTransportOptions {
  /** The consumer group, and the inbox's dedup scope: one per service and purpose. */
  readonly consumerGroup: string;
  readonly topics: readonly string[];
  /** The service's database; the transport borrows connections, the caller ends the pool. */
  readonly pool: Pool;
  readonly codec: Pick<AvroCodec, 'decode'>;
  readonly logger: Logger;
  /** Where the consumer's metrics go (not the global registry). */
  readonly metrics: Registry;
  /** Kafka connection; ignored when `transport` is given. */
  readonly kafka?: { readonly clientId: string; readonly brokers: readonly string[]; readonly sessionTimeout_ms?: number; readonly heartbeatInterval_ms?: number };
  /** Another ConsumerTransport implementation (tests, another Kafka client). */
  readonly transport?: ConsumerTransport;
  /** Default: every generated contract (EVENT_TYPES). */
  readonly contracts?: ContractCatalogue;
  /** Default `ignore`: see docs/decisions/0009-nest-transport.md. */
  readonly unhandledEventTypes?: UnhandledEventTypePolicy;
  readonly handlerTimeout_ms?: number;
  readonly retry?: RetryPolicy;
  readonly maxBatchSize?: number;
  readonly statementTimeout_ms?: number;
}

/** The app's `@EventPattern` handlers do not fit this transport; thrown from listen(). */
export class HandlerRegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandlerRegistrationError';
  }
}

const UNHANDLED_METRIC = 'messaging_consumer_unhandled_messages_total';

/** Several transports (consumer groups) of one process may share a registry and so the counter. */
function unhandledCounter(registry: Registry): Counter<'topic' | 'consumer_group' | 'event_type'> {
  const existing = registry.getSingleMetric(UNHANDLED_METRIC);
  if (existing !== undefined) return existing as Counter<'topic' | 'consumer_group' | 'event_type'>;
  return new Counter({
    name: UNHANDLED_METRIC,
    help: 'Messages of an event type no @EventPattern handler of this consumer takes, acknowledged without effect.',
    labelNames: ['topic', 'consumer_group', 'event_type'],
    registers: [registry],
  });
}

type InboxTransportStatus = 'connecting' | 'connected' | 'disconnected';

/**
 * A Nest microservice transport on the platform's inbox consumer runtime (@txn/messaging):
 * decode with the contract's reader schema → inbox dedup → the `@EventPattern(<eventType>)`
 * handler, inside one transaction; the offset is committed after it; failures are retried in place
 * and then dead-lettered. Nest's own Kafka transport commits offsets on its own schedule and knows
 * neither inbox nor dead letters (docs/decisions/0009-nest-transport.md).
 *
 * The handler gets the decoded event (`@Payload()`) and an InboxContext (`@Ctx()`) and returns
 * `'applied' | 'stale' | 'rejected'` (a value, a Promise, or an Observable whose last value it is).
 */
export class InboxTransport extends Server<Record<string, never>, InboxTransportStatus> implements CustomTransportStrategy {
  override readonly transportId = INBOX_TRANSPORT;
  private consumer: InboxConsumer | undefined;
  private readonly handlerTimeout_ms: number;
  private readonly unhandledPolicy: UnhandledEventTypePolicy;
  private readonly contracts: ContractCatalogue;
  private readonly unhandled: Counter<'topic' | 'consumer_group' | 'event_type'>;

  constructor(private readonly options: InboxTransportOptions) {
    super();
    this.handlerTimeout_ms = options.handlerTimeout_ms ?? DEFAULT_HANDLER_TIMEOUT_MS;
    if (!Number.isInteger(this.handlerTimeout_ms) || this.handlerTimeout_ms < 1 || this.handlerTimeout_ms > MAX_HANDLER_TIMEOUT_MS) {
      throw new Error(`handlerTimeout_ms must be an integer in 1..${MAX_HANDLER_TIMEOUT_MS}, got ${this.handlerTimeout_ms}`);
    }
    if (options.transport === undefined && options.kafka === undefined) throw new Error('InboxTransport needs `kafka` (clientId, brokers) or a `transport`');
    this.unhandledPolicy = options.unhandledEventTypes ?? 'ignore';
    this.contracts = options.contracts ?? EVENT_TYPES;
    this.unhandled = unhandledCounter(options.metrics);
  }

  /** Nest calls this after registering the app's handlers; `callback(error)` fails app.listen(). */
  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  async close(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.stop();
    this._status$.next('disconnected');
  }

  /** There are no transport events to subscribe to: watch the logs and the metrics registry. */
  on(): never {
    throw new Error('InboxTransport emits no events; its outcomes are in its logs and metrics');
  }

  /** The running InboxConsumer. */
  unwrap<T>(): T {
    if (this.consumer === undefined) throw new Error('InboxTransport is not listening');
    return this.consumer as T;
  }

  private async start(): Promise<void> {
    this.checkHandlers();
    this._status$.next('connecting');
    const { options } = this;
    const transport =
      options.transport ??
      createKafkaConsumerTransport({
        clientId: options.kafka?.clientId ?? options.consumerGroup,
        brokers: options.kafka?.brokers ?? [],
        groupId: options.consumerGroup,
        topics: options.topics,
        logger: options.logger,
        ...(options.kafka?.sessionTimeout_ms === undefined ? {} : { sessionTimeout_ms: options.kafka.sessionTimeout_ms }),
        ...(options.kafka?.heartbeatInterval_ms === undefined ? {} : { heartbeatInterval_ms: options.kafka.heartbeatInterval_ms }),
      });
    const consumer = createInboxConsumer({
      consumerGroup: options.consumerGroup,
      topics: options.topics,
      transport,
      codec: options.codec,
      readerSchemaFor: contractReaderSchemas(this.contracts, this.unhandledPolicy, (eventType) => this.getHandlerByPattern(eventType) !== null),
      pool: options.pool,
      handler: (tx, message) => this.dispatch(tx, message),
      // Under `ignore`, a known type no handler takes is acknowledged without a transaction or
      // inbox row (it has no effect to dedup); under `park` it has no reader schema and is parked.
      handles: (eventType) => this.getHandlerByPattern(eventType) !== null,
      onIgnored: (message) => this.unhandled.inc({ topic: message.topic, consumer_group: options.consumerGroup, event_type: message.eventType }),
      logger: options.logger,
      metrics: options.metrics,
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.maxBatchSize === undefined ? {} : { maxBatchSize: options.maxBatchSize }),
      ...(options.statementTimeout_ms === undefined ? {} : { statementTimeout_ms: options.statementTimeout_ms }),
    });
    try {
      await consumer.start();
    } catch (error) {
      await transport.stop().catch(() => undefined);
      throw error;
    }
    this.consumer = consumer;
    this._status$.next('connected');
  }

  /**
   * Fails fast on handlers that cannot work here: a pattern that names no contract (a typo would
   * never be called), a request-response `@MessagePattern` (nobody waits for a reply), or two
   * handlers of one event type (one message must have one outcome).
   */
  private checkHandlers(): void {
    const known = new Set(Object.values(this.contracts).map((contract) => contract.eventType));
    for (const [pattern, handler] of this.getHandlers()) {
      if (!known.has(pattern)) throw new HandlerRegistrationError(`@EventPattern('${pattern}') names no event type of the contracts (e.g. 'BookingHeld')`);
      if (handler.isEventHandler !== true) throw new HandlerRegistrationError(`'${pattern}' is a @MessagePattern; the inbox transport takes @EventPattern handlers only`);
      if (handler.next !== undefined) throw new HandlerRegistrationError(`'${pattern}' has more than one @EventPattern handler; one message must have exactly one outcome`);
    }
  }

  private async dispatch(tx: SqlTransaction, message: InboxMessage): Promise<HandlerOutcome> {
    const handler: NestMessageHandler | null = this.getHandlerByPattern(message.eventType);
    // The runtime only passes types `handles` accepted; handlers are fixed once listen() ran.
    if (handler === null) throw new Error(`no @EventPattern handler takes ${message.eventType}`);
    const scoped = scopeTransaction(tx);
    const inbox = new InboxContext(message, scoped.tx);
    try {
      const value = await withinTimeout(settleHandlerResult(handler(message.value, inbox)), this.handlerTimeout_ms, message.eventType);
      return toOutcome(message.eventType, value);
    } catch (error) {
      const recorded = inbox.recordedFailure();
      if (recorded !== undefined) throw recorded.error;
      if (error instanceof Error) throw error;
      throw new NestHandlerError(message.eventType, error);
    } finally {
      scoped.close();
    }
  }
}
