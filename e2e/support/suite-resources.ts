import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import Stripe from 'stripe';
import type { ContractTopic, Envelope } from '@txn/contracts';
import type { AvroCodec } from '@txn/messaging';
import { collectEvents, testEnvironment, type Cleanups, type SuiteDatabase, type SuiteScope } from '@txn/testing';
import { STRIPE_API_VERSION } from '@txn/payment';

// What both e2e harnesses (services in the test process, or as child processes) set up around the
// services the same way: the saga's topics and a reader of them, a small pool per service
// database, the dead letters parked, and a way to count the PaymentIntents the PSP itself holds.

/** The saga's topics, by contract topic; psp.events.v1 has no consumer among these services yet. */
// psp.events.v1 too: payment consumes it, and a suite's payment must never read the shared topic.
export const SAGA_TOPICS = ['booking.commands.v1', 'booking.events.v1', 'payment.commands.v1', 'payment.events.v1', 'ledger.events.v1', 'psp.events.v1'] as const satisfies readonly ContractTopic[];
export type SagaTopic = (typeof SAGA_TOPICS)[number];

/** A decoded record as a reader of the saga's topics saw it. */
export interface SeenEvent {
  readonly topic: SagaTopic;
  readonly eventType: string;
  readonly key: string | undefined;
  readonly partition: number;
  readonly offset: string;
  /** Milliseconds since the harness started: for the timeline, not for assertions. */
  readonly seenAt_ms: number;
  readonly value: { readonly envelope: Envelope; readonly [field: string]: unknown };
}

/** Keys are aggregate ids: 3 partitions keep per-key order and still exercise more than one. */
export const PARTITIONS_PER_TOPIC = 3;

const POOL_MAX = 2;
const POOL_CONNECT_TIMEOUT_MS = 5_000;
const POOL_STATEMENT_TIMEOUT_MS = 15_000;
const SANDBOX_TIMEOUT_MS = 10_000;
const MAX_LIST_PAGES = 100;

/** A second, small pool on a service's database: what a person would query. */
export function smallPool(database: SuiteDatabase): Pool {
  const pool = new Pool({ ...database, max: POOL_MAX, connectionTimeoutMillis: POOL_CONNECT_TIMEOUT_MS, statement_timeout: POOL_STATEMENT_TIMEOUT_MS });
  // Closing the harness drops the databases; an idle connection of ours must not crash the run meanwhile.
  pool.on('error', () => undefined);
  return pool;
}

/** The suite's own Stripe-shaped key, and the PaymentIntents localstripe holds from now on. */
export interface SandboxIntents {
  /** The sandbox and the proxy keep this key's objects apart from other suites'. */
  readonly apiKey: string;
  /** Every intent made after the suite started that `matches`, read from localstripe itself. */
  list(matches: (intent: Stripe.PaymentIntent) => boolean): Promise<Stripe.PaymentIntent[]>;
  /** localstripe itself under the suite's key, past the fault proxy: what a person at the PSP's dashboard does. */
  readonly sandbox: Stripe;
}

export async function sandboxIntents(suiteId: string): Promise<SandboxIntents> {
  const environment = testEnvironment();
  const apiKey = `sk_test_e2e_${randomBytes(8).toString('hex')}`;
  const sandbox = new Stripe(apiKey, { host: environment.pspSandbox.host, port: environment.pspSandbox.port, protocol: 'http', apiVersion: STRIPE_API_VERSION, maxNetworkRetries: 0, timeout: SANDBOX_TIMEOUT_MS, telemetry: false });
  // localstripe lists every intent; the ones made after this marker are ours or later suites'.
  const marker = (await sandbox.paymentIntents.create({ amount: 100, currency: 'eur', metadata: { e2e_marker: suiteId } })).id;
  return {
    apiKey,
    sandbox,
    async list(matches) {
      const found: Stripe.PaymentIntent[] = [];
      let after = marker;
      for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
        const list = await sandbox.paymentIntents.list({ limit: 100, starting_after: after });
        found.push(...list.data.filter(matches));
        const last = list.data.at(-1);
        if (!list.has_more || last === undefined) return found;
        after = last.id;
      }
      throw new Error(`more than ${MAX_LIST_PAGES} pages of payment intents after ${marker}`);
    },
  };
}

/** Everything on the saga's suite topics, in the order the reader received it, under the contract topic's name. */
export async function readSaga(
  at: { readonly scope: SuiteScope; readonly topicOf: (topic: SagaTopic) => string; readonly codec: AvroCodec; readonly startedAt_ms: number; readonly clientId: string },
  cleanups: Cleanups,
): Promise<SeenEvent[]> {
  const seen: SeenEvent[] = [];
  const contractTopicOf = new Map(SAGA_TOPICS.map((topic) => [at.topicOf(topic), topic] as const));
  const reader = await collectEvents({
    brokers: testEnvironment().kafka.brokers,
    clientId: at.clientId,
    groupId: at.scope.groupId('reader'),
    topics: SAGA_TOPICS.map(at.topicOf),
    codec: at.codec,
    collect: ({ topic, partition, offset, key, eventType, value }) => {
      const contractTopic = contractTopicOf.get(topic);
      if (contractTopic === undefined) throw new Error(`record on unexpected topic ${topic}`);
      seen.push({ topic: contractTopic, eventType, key, partition, offset, seenAt_ms: Date.now() - at.startedAt_ms, value: value as SeenEvent['value'] });
    },
  });
  cleanups.push(() => reader.stop());
  return seen;
}

const KAFKA_ADMIN_TIMEOUT_MS = 10_000;

/** Messages parked on the dead-letter topics under a prefix, per topic (the consumers create them at start). */
export async function deadLettersUnder(topicPrefix: string): Promise<Record<string, number>> {
  const admin = new Kafka({ clientId: 'e2e-dlq', brokers: [...testEnvironment().kafka.brokers], logLevel: logLevel.NOTHING, connectionTimeout: 5_000, requestTimeout: KAFKA_ADMIN_TIMEOUT_MS }).admin();
  await admin.connect();
  try {
    const parked: Record<string, number> = {};
    for (const topic of (await admin.listTopics()).filter((name) => name.startsWith(topicPrefix) && name.endsWith('.dlq'))) {
      parked[topic] = (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
    }
    return parked;
  } finally {
    await admin.disconnect();
  }
}
