import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import type { Actor, BookingHeld, ContractTopic, Envelope, EventContract, Money } from '@txn/contracts';
import { outcomesOf, startSuiteService, suiteResources, suiteSender, type SuiteSender } from '@txn/service-harness';
import type { RunningService } from '@txn/service-kit';
import { Cleanups, collectEvents, testEnvironment, waitFor, type LogLine } from '@txn/testing';
import { paymentService, type PaymentServiceOptions } from '../../src/service';
import { readPaymentSettings } from '../../src/settings';

// The payment service in-process for the integration suites: started as main.ts starts it
// (bootstrapService) on the real PostgreSQL, Kafka and registry, but on a suite database, suite
// topics (topicOverrides), suite subjects and a suite consumer group; its PSP is the suite's (a
// URL in its settings, or the `psp` seam). What it logs, and what it publishes when asked, is
// collected for the assertions, which stay in each spec.

/** Group join, a handler transaction, the PSP call after commit, the relay's poll: seconds at most. */
export const FLOW_TIMEOUT_MS = 30_000;
export const HOUR_MS = 3_600_000;
export const PRICE_MINOR = 12_345n;
export const BOOKING_SERVICE: Actor = { type: 'SERVICE', id: 'booking' };
/** The contract topics payment consumes or produces; each has a suite topic. */
const PAYMENT_TOPICS = ['booking.events.v1', 'payment.commands.v1', 'payment.events.v1', 'psp.events.v1'] as const satisfies readonly ContractTopic[];
/** Keys are booking or payment ids: 3 partitions keep per-key order and still exercise more than one. */
const PARTITIONS_PER_TOPIC = 3;
/** The test's own pool next to the service's: a few queries at a time. */
const POOL_MAX = 2;
const POOL_CONNECT_TIMEOUT_MS = 5_000;
/** A BookingHeld's hold: far longer than any test here. */
const HOLD_MS = 15 * 60_000;
/** A BookingHeld's slot starts this far ahead. */
const SLOT_LEAD_MS = 72 * HOUR_MS;

export function eur(amountMinor: bigint): Money {
  return { amountMinor, currency: 'EUR' };
}

/** A decoded record from the suite's payment events topic. */
export interface SeenEvent {
  readonly eventType: string;
  readonly key: string | undefined;
  readonly value: { readonly envelope: Envelope; readonly paymentId: string; readonly bookingId: string; readonly [field: string]: unknown };
}

export interface PaymentSuiteOptions {
  /** Names the suite scope (topics, group, database) and the test's Kafka clients. */
  readonly suiteName: string;
  /** Written to the service's PSP key file (PSP_API_KEY_FILE). */
  readonly pspApiKey: string;
  /** Payment's own settings as main.ts reads them from the environment (PSP_API_URL, PSP_TIMEOUT_MS, …). */
  readonly settings: Readonly<Record<string, string>>;
  /** The service's seams: the suite's PSP, or the customer's payment method. */
  readonly seams: PaymentServiceOptions;
  /** Lines below this level are not written (nor collected). */
  readonly logLevel: 'info' | 'warn';
  /** Whether a reader collects the payment events topic into `seen`; a suite that asserts on the database alone saves the group join. */
  readonly readPaymentEvents: boolean;
}

export interface PaymentInProcess {
  readonly service: RunningService;
  /** A second, small pool on the suite database: what the test queries. */
  readonly pool: Pool;
  /** The service's log lines at the suite's level, parsed, in the order written. */
  readonly logs: readonly LogLine[];
  /** Encodes with the registry codec and publishes to the suite's booking events topic, keyed by booking id as booking does. */
  send<T extends { readonly envelope: Envelope; readonly bookingId: string }>(contract: EventContract<T>, event: T): Promise<void>;
  /** The consumer outcomes (`applied`, `duplicate`, `stale`, `rejected`) logged for one event, in order. */
  outcomesOf(eventId: string): unknown[];
  /** The consumer's log line follows its commit: wait for `count` outcomes rather than assume them. */
  waitForOutcome(eventId: string, count?: number): Promise<unknown[]>;
  /** What the reader saw for one booking (of one type, when given), in arrival order. */
  eventsOf(bookingId: string, eventType?: string): SeenEvent[];
  waitForEvent(bookingId: string, eventType: string): Promise<SeenEvent>;
  /** Stops what the start made, latest first; every step runs, the first failure is rethrown. */
  close(): Promise<void>;
}

/** The service, its sender and (when asked) its reader on suite resources; everything made is undone by `cleanups`. */
async function startOnSuite(options: PaymentSuiteOptions, cleanups: Cleanups): Promise<{ service: RunningService; logs: LogLine[]; pool: Pool; sender: SuiteSender; seen: SeenEvent[] }> {
  const environment = testEnvironment();
  const clientId = `${options.suiteName}-test`;
  const { scope, topicOf, secret } = await suiteResources(options.suiteName, PAYMENT_TOPICS, PARTITIONS_PER_TOPIC, cleanups);
  const database = await scope.database('payment');
  const started = await startSuiteService({
    service: 'payment',
    database,
    secret,
    environment: { PSP_API_KEY_FILE: secret('psp-api-key', options.pspApiKey), ...options.settings },
    readSettings: readPaymentSettings,
    definition: (config) => paymentService(config, options.seams),
    topicOverrides: topicOf,
    consumerGroup: scope.groupId('payment'),
    logLevel: options.logLevel,
    cleanups,
  });
  const pool = new Pool({ ...database, max: POOL_MAX, connectionTimeoutMillis: POOL_CONNECT_TIMEOUT_MS });
  cleanups.push(() => pool.end());
  const sender = await suiteSender(clientId, topicOf, cleanups);
  const seen: SeenEvent[] = [];
  if (options.readPaymentEvents) {
    const collect = ({ eventType, key, value }: { eventType: string; key: string | undefined; value: unknown }): number => seen.push({ eventType, key, value: value as SeenEvent['value'] });
    const reader = await collectEvents({ brokers: environment.kafka.brokers, clientId, groupId: scope.groupId('reader'), topics: [topicOf['payment.events.v1']], codec: sender.codec, collect });
    cleanups.push(() => reader.stop());
  }
  return { ...started, pool, sender, seen };
}

export async function startPaymentInProcess(options: PaymentSuiteOptions): Promise<PaymentInProcess> {
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
      // Keyed by booking id, as booking does.
      send: (contract, event) => sender.send(contract, event, event.bookingId),
      outcomesOf: outcomes,
      waitForOutcome: (eventId, count = 1) => waitFor(`${count} handled outcome(s) of ${eventId}`, () => (outcomes(eventId).length >= count ? outcomes(eventId) : undefined), FLOW_TIMEOUT_MS),
      eventsOf,
      waitForEvent: (bookingId, eventType) => waitFor(`${eventType} for booking ${bookingId}`, () => eventsOf(bookingId, eventType)[0], FLOW_TIMEOUT_MS),
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/** The booking events a suite sends payment, all of one tenant, as booking writes them. */
export class BookingFacts {
  constructor(readonly tenantId: string) {}

  envelope(eventType: string, bookingId: string): Envelope {
    return { eventId: randomUUID(), eventType, occurredAt: new Date(), producer: 'booking', aggregateId: bookingId, aggregateVersion: 1n, correlationId: bookingId, causationId: null, actor: BOOKING_SERVICE, tenantId: this.tenantId };
  }

  /** A new booking held for the customer, at PRICE_MINOR: what starts a payment. */
  held(options: { readonly bookingId?: string; readonly customerId?: string } = {}): BookingHeld {
    const bookingId = options.bookingId ?? randomUUID();
    const startsAt = new Date(Date.now() + SLOT_LEAD_MS);
    return {
      envelope: this.envelope('BookingHeld', bookingId),
      bookingId,
      statusBefore: null,
      statusAfter: 'HELD',
      reason: 'REQUESTED',
      customerId: options.customerId ?? 'customer-1',
      customerEmail: null,
      slot: { resourceId: 'room-1', startsAt, endsAt: new Date(startsAt.getTime() + HOUR_MS) },
      price: eur(PRICE_MINOR),
      holdExpiresAt: new Date(Date.now() + HOLD_MS),
    };
  }
}
