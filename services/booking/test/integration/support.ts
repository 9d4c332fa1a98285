import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import type { Actor, ContractTopic, Envelope, EventContract, PaymentAuthorized, RequestBooking } from '@txn/contracts';
import { outcomesOf, startSuiteService, suiteResources, suiteSender, type SuiteSender } from '@txn/service-harness';
import type { RunningService } from '@txn/service-kit';
import { Cleanups, collectEvents, installExtensions, testEnvironment, waitFor, type LogLine } from '@txn/testing';
import { bookingService } from '../../src/service';
import type { BookingSettings } from '../../src/settings';

// The booking service in-process for the integration suites: started as main.ts starts it
// (bootstrapService) on the real PostgreSQL, Kafka and registry, but on a suite database, suite
// topics (topicOverrides), suite subjects and a suite consumer group; what it logs and what it
// publishes are collected for the assertions, which stay in each spec.

/** Joining a group, a handler transaction and the relay's poll take well under a second here. */
export const FLOW_TIMEOUT_MS = 30_000;
export const HOUR_MS = 3_600_000;
export const PRICE_MINOR = 12_345n;
export const CUSTOMER: Actor = { type: 'USER', id: 'customer-1' };
export const PAYMENT_SERVICE: Actor = { type: 'SERVICE', id: 'payment' };
/** Keys are booking or payment ids: 3 partitions keep per-key order and still exercise more than one. */
const PARTITIONS_PER_TOPIC = 3;
/** The test's own pool next to the service's: a few queries at a time. */
const POOL_MAX = 2;
const POOL_CONNECT_TIMEOUT_MS = 5_000;
/** A request's hold unless the test asks for another. */
const HOLD_MS = 15 * 60_000;

/** A decoded record from one of the suite topics the reader watches. */
export interface SeenEvent {
  readonly eventType: string;
  readonly key: string | undefined;
  readonly value: { readonly envelope: Envelope; readonly bookingId: string; readonly [field: string]: unknown };
}

/** The contract topics booking consumes or produces; each has a suite topic. */
const BOOKING_TOPICS = ['booking.commands.v1', 'booking.events.v1', 'payment.events.v1'] as const satisfies readonly ContractTopic[];

export interface BookingSuiteOptions {
  /** Names the suite scope (topics, group, database) and the test's Kafka clients. */
  readonly suiteName: string;
  readonly settings: BookingSettings;
  /**
   * The contract topics the reader collects into `seen`. Booking's events always; its commands
   * topic only for a suite that watches the commands booking sends itself (a reader of commands
   * also sees every command the test sends).
   */
  readonly read: readonly string[];
}

export interface BookingInProcess {
  readonly service: RunningService;
  /** A second, small pool on the suite database: what the test queries and tampers with. */
  readonly pool: Pool;
  /** The service's log lines, parsed, in the order written. */
  readonly logs: readonly LogLine[];
  /** Encodes with the registry codec and publishes to the suite topic of the contract's topic. */
  send<T extends { readonly envelope: Envelope }>(contract: EventContract<T>, event: T, key: string): Promise<void>;
  /** A fresh resource of the tenant: each test books its own, so tests never compete for a slot. */
  addResource(tenantId: string): Promise<string>;
  /** The consumer outcomes (`applied`, `duplicate`, `stale`, `rejected`) logged for one event, in order. */
  outcomesOf(eventId: string): unknown[];
  /** The consumer's log line follows its commit: wait for the first outcome rather than assume it. */
  waitForOutcome(eventId: string): Promise<unknown[]>;
  /** What the reader saw for one booking (of one type, when given), in arrival order. */
  eventsOf(bookingId: string, eventType?: string): SeenEvent[];
  waitForEvent(bookingId: string, eventType: string): Promise<SeenEvent>;
  /** The sum of a metric's values whose labels include `labels`, from the service's registry. */
  metricValue(name: string, labels: Readonly<Record<string, string>>): Promise<number>;
  /** Stops what the start made, latest first; every step runs, the first failure is rethrown. */
  close(): Promise<void>;
}

/** The service, its sender and its reader on suite resources; everything made is undone by `cleanups`. */
async function startOnSuite(options: BookingSuiteOptions, cleanups: Cleanups): Promise<{ service: RunningService; logs: LogLine[]; pool: Pool; sender: SuiteSender; seen: SeenEvent[] }> {
  const environment = testEnvironment();
  const clientId = `${options.suiteName}-test`;
  const { scope, topicOf, secret } = await suiteResources(options.suiteName, BOOKING_TOPICS, PARTITIONS_PER_TOPIC, cleanups);
  const database = await scope.database('booking');
  await installExtensions(database, ['btree_gist']);
  // Booking's settings come from the suite, not from the environment.
  const started = await startSuiteService({ service: 'booking', database, secret, readSettings: () => ({}), definition: () => bookingService(options.settings), topicOverrides: topicOf, consumerGroup: scope.groupId('booking'), cleanups });
  const pool = new Pool({ ...database, max: POOL_MAX, connectionTimeoutMillis: POOL_CONNECT_TIMEOUT_MS });
  cleanups.push(() => pool.end());
  const sender = await suiteSender(clientId, topicOf, cleanups);
  const seen: SeenEvent[] = [];
  const reader = await collectEvents({
    brokers: environment.kafka.brokers,
    clientId,
    groupId: scope.groupId('reader'),
    topics: options.read.map((topic) => topicOf[topic as (typeof BOOKING_TOPICS)[number]]),
    codec: sender.codec,
    collect: ({ eventType, key, value }) => seen.push({ eventType, key, value: value as SeenEvent['value'] }),
  });
  cleanups.push(() => reader.stop());
  return { ...started, pool, sender, seen };
}

export async function startBookingInProcess(options: BookingSuiteOptions): Promise<BookingInProcess> {
  const cleanups = new Cleanups();
  const close = (): Promise<void> => cleanups.runAll();
  try {
    const { service, logs, pool, sender, seen } = await startOnSuite(options, cleanups);
    const outcomes = (eventId: string): unknown[] => outcomesOf(logs, eventId);
    const eventsOf = (bookingId: string, eventType?: string): SeenEvent[] =>
      seen.filter((event) => event.value.bookingId === bookingId && (eventType === undefined || event.eventType === eventType));
    return {
      service,
      pool,
      logs,
      send: (contract, event, key) => sender.send(contract, event, key),
      async addResource(tenantId) {
        const resourceId = `room-${randomUUID().slice(0, 8)}`;
        await pool.query('INSERT INTO resources (tenant_id, resource_id, name) VALUES ($1, $2, $3)', [tenantId, resourceId, 'Room']);
        return resourceId;
      },
      outcomesOf: outcomes,
      waitForOutcome: (eventId) => waitFor(`the consumer's outcome for ${eventId}`, () => (outcomes(eventId).length > 0 ? outcomes(eventId) : undefined), FLOW_TIMEOUT_MS),
      eventsOf,
      waitForEvent: (bookingId, eventType) => waitFor(`${eventType} for booking ${bookingId}`, () => eventsOf(bookingId, eventType)[0], FLOW_TIMEOUT_MS),
      async metricValue(name, labels) {
        const metric = await service.dependencies.metrics.getSingleMetric(name)?.get();
        return (metric?.values ?? []).filter((value) => Object.entries(labels).every(([label, wanted]) => value.labels[label] === wanted)).reduce((sum, value) => sum + value.value, 0);
      },
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/** The messages a suite sends booking, all of one tenant, as their senders would write them. */
export class BookingMessages {
  constructor(
    readonly tenantId: string,
    /** The envelope's producer: the suite, so that a person reading a topic knows who wrote it. */
    private readonly producer: string,
  ) {}

  envelope(eventType: string, aggregateId: string, actor: Actor = CUSTOMER): Envelope {
    return { eventId: randomUUID(), eventType, occurredAt: new Date(), producer: this.producer, aggregateId, aggregateVersion: 0n, correlationId: aggregateId, causationId: null, actor, tenantId: this.tenantId };
  }

  /** A customer's request for a slot of `length_ms` from `startsAt`, at PRICE_MINOR. */
  requestBooking(resourceId: string, startsAt: Date, options: { readonly length_ms?: number; readonly holdFor_ms?: number; readonly customerEmail?: string | null } = {}): RequestBooking {
    const bookingId = randomUUID();
    return {
      envelope: this.envelope('RequestBooking', bookingId),
      bookingId,
      requestIdempotencyKey: randomUUID(),
      customerId: CUSTOMER.id,
      customerEmail: options.customerEmail ?? null,
      slot: { resourceId, startsAt, endsAt: new Date(startsAt.getTime() + (options.length_ms ?? HOUR_MS)) },
      price: { amountMinor: PRICE_MINOR, currency: 'EUR' },
      holdExpiresAt: new Date(Date.now() + (options.holdFor_ms ?? HOLD_MS)),
    };
  }

  /** Payment's fact for the full price; its correlation id is the booking's, as in the saga. */
  paymentAuthorized(bookingId: string, paymentId: string): PaymentAuthorized {
    return {
      envelope: { ...this.envelope('PaymentAuthorized', paymentId, PAYMENT_SERVICE), correlationId: bookingId },
      paymentId,
      bookingId,
      statusBefore: 'PENDING',
      statusAfter: 'AUTHORIZED',
      reason: 'PSP_RESPONSE',
      pspPaymentIntentId: 'pi_test',
      pspIdempotencyKey: `pay_${paymentId}_authorize`,
      authorizedAmount: { amountMinor: PRICE_MINOR, currency: 'EUR' },
      authorizationExpiresAt: null,
      authorizedAt: null,
    };
  }
}
