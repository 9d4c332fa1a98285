import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Pool } from 'pg';
import Stripe from 'stripe';
import {
  BookingCancelled,
  BookingConfirmed,
  BookingHeld,
  EVENT_TYPES,
  PaymentAuthorized,
  type Actor,
  type Envelope,
  type EventContract,
  type Money,
} from '@txn/contracts';
import { AvroCodec, createKafkaPublisher, MESSAGE_HEADERS, type RecordPublisher } from '@txn/messaging';
import { startPspProxy, type RunningPspProxy } from '@txn/psp-proxy';
import { registerSchemas } from '@txn/schema-deploy';
import { bootstrapService, createServiceLogger, loadServiceConfig, type RunningService } from '@txn/service-kit';
import { collectEvents, createSuiteScope, deleteSubjects, type EventCollector, type SuiteDatabase, type SuiteScope, testEnvironment, waitFor } from '@txn/testing';
import { paymentIdOf } from '../../src/application/payment-id';
import { paymentService } from '../../src/service';
import { readPaymentSettings } from '../../src/settings';
import { STRIPE_API_VERSION } from '../../src/psp/stripe-psp';

// The payment service in-process (bootstrapService, as main.ts does) on the real PostgreSQL,
// Kafka and registry (suite database, suite topics via topicOverrides, suite consumer group), and
// an in-process PSP fault proxy on a free port in front of the real localstripe. Every payment is
// counted at localstripe itself, by our metadata.payment_id, after a marker intent made at start.

/** Group join, a handler transaction, the PSP call after commit, the relay's poll: seconds at most. */
const FLOW_TIMEOUT_MS = 30_000;
/** Divides the 1 min / 5 min / 30 min … query schedule: first query after 300 ms, then 1.5 s, 9 s. */
const QUERY_TIME_DIVISOR = 200;
const TENANT = 'merchant-pay-1';
const PRICE_MINOR = 12_345n;
/** 10 % of 12 345, rounded half up (the ledger's rule): 1 234.5 → 1 235. */
const FEE_MINOR = 1_235n;
const DECLINING_CUSTOMER = 'customer-declines';
const BOOKING_ACTOR: Actor = { type: 'SERVICE', id: 'booking' };
const TEST_RETRY = { maxAttempts: 2, initialDelay_ms: 20, maxDelay_ms: 100 };
const HOUR_MS = 3_600_000;
const MAX_LIST_PAGES = 100;

interface LogLine {
  readonly msg: string;
  readonly [field: string]: unknown;
}

interface SeenEvent {
  readonly eventType: string;
  readonly key: string | undefined;
  readonly value: { readonly envelope: Envelope; readonly paymentId: string; readonly bookingId: string; readonly [field: string]: unknown };
}

function envelope(eventType: string, bookingId: string): Envelope {
  return { eventId: randomUUID(), eventType, occurredAt: new Date(), producer: 'booking', aggregateId: bookingId, aggregateVersion: 1n, correlationId: bookingId, causationId: null, actor: BOOKING_ACTOR, tenantId: TENANT };
}

function eur(amountMinor: bigint): Money {
  return { amountMinor, currency: 'EUR' };
}

describe('payment service (in-process, real PostgreSQL, Kafka, registry, localstripe behind the fault proxy)', () => {
  const environment = testEnvironment();
  const codec = new AvroCodec({ registryUrl: environment.schemaRegistry.url, clientId: 'payment-service-test' });
  const apiKey = `sk_test_payment_${randomBytes(8).toString('hex')}`;
  const sandbox = new Stripe(apiKey, { host: environment.pspSandbox.host, port: environment.pspSandbox.port, protocol: 'http', apiVersion: STRIPE_API_VERSION, maxNetworkRetries: 0, timeout: 10_000, telemetry: false });
  const logs: LogLine[] = [];
  const seen: SeenEvent[] = [];
  let scope: SuiteScope;
  let database: SuiteDatabase;
  let pool: Pool;
  let proxy: RunningPspProxy;
  let service: RunningService | undefined;
  let publisher: RecordPublisher;
  let reader: EventCollector | undefined;
  let secretsDir: string;
  let marker: string;
  let topics: { bookingEvents: string; paymentEvents: string };
  let subjects: string[] = [];

  async function send<T extends { readonly envelope: Envelope; readonly bookingId: string }>(contract: EventContract<T>, event: T): Promise<void> {
    const value = await codec.encode(`${topics.bookingEvents}-${contract.fullName}`, contract.schema, event);
    await publisher.publish([
      {
        topic: topics.bookingEvents,
        key: event.bookingId,
        value,
        headers: { [MESSAGE_HEADERS.eventId]: event.envelope.eventId, [MESSAGE_HEADERS.eventType]: contract.eventType, [MESSAGE_HEADERS.correlationId]: event.envelope.correlationId },
      },
    ]);
  }

  function held(customerId = 'customer-1'): BookingHeld {
    const bookingId = randomUUID();
    const startsAt = new Date(Date.now() + 72 * HOUR_MS);
    return {
      envelope: envelope('BookingHeld', bookingId),
      bookingId,
      statusBefore: null,
      statusAfter: 'HELD',
      reason: 'REQUESTED',
      customerId,
      customerEmail: null,
      slot: { resourceId: 'room-1', startsAt, endsAt: new Date(startsAt.getTime() + HOUR_MS) },
      price: eur(PRICE_MINOR),
      holdExpiresAt: new Date(Date.now() + 15 * 60_000),
    };
  }

  function confirmed(booking: BookingHeld): BookingConfirmed {
    return { envelope: envelope('BookingConfirmed', booking.bookingId), bookingId: booking.bookingId, statusBefore: 'HELD', statusAfter: 'CONFIRMED', reason: 'PAYMENT_AUTHORIZED', paymentId: paymentIdOf(booking.bookingId), authorizedAmount: booking.price };
  }

  function cancelled(booking: BookingHeld, refundAmount: Money | null): BookingCancelled {
    return {
      envelope: envelope('BookingCancelled', booking.bookingId),
      bookingId: booking.bookingId,
      statusBefore: 'CONFIRMED',
      statusAfter: 'CANCELLED',
      reason: 'CUSTOMER_REQUEST',
      paymentId: paymentIdOf(booking.bookingId),
      refundAmount,
      slot: booking.slot,
    };
  }

  function eventsOf(bookingId: string, eventType?: string): SeenEvent[] {
    return seen.filter((event) => event.value.bookingId === bookingId && (eventType === undefined || event.eventType === eventType));
  }

  function waitForEvent(bookingId: string, eventType: string): Promise<SeenEvent> {
    return waitFor(`${eventType} for booking ${bookingId}`, () => eventsOf(bookingId, eventType)[0], FLOW_TIMEOUT_MS);
  }

  function outcomesOf(eventId: string): unknown[] {
    return logs.filter((line) => line.msg === 'message handled' && line.eventId === eventId).map((line) => line.outcome);
  }

  function waitForOutcome(eventId: string, count = 1): Promise<unknown[]> {
    return waitFor(`${count} handled outcome(s) of ${eventId}`, () => (outcomesOf(eventId).length >= count ? outcomesOf(eventId) : undefined), FLOW_TIMEOUT_MS);
  }

  /** Our intents for one payment at localstripe itself (lists are oldest first; the marker bounds the scan). */
  async function intentsAtSandbox(paymentId: string): Promise<Stripe.PaymentIntent[]> {
    const found: Stripe.PaymentIntent[] = [];
    let after = marker;
    for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
      const list = await sandbox.paymentIntents.list({ limit: 100, starting_after: after });
      found.push(...list.data.filter((intent) => intent.metadata.payment_id === paymentId));
      const last = list.data.at(-1);
      if (!list.has_more || last === undefined) return found;
      after = last.id;
    }
    throw new Error(`more than ${MAX_LIST_PAGES} pages of payment intents after ${marker}`);
  }

  async function authorizedBooking(): Promise<{ booking: BookingHeld; authorized: SeenEvent }> {
    const booking = held();
    await send(BookingHeld, booking);
    return { booking, authorized: await waitForEvent(booking.bookingId, 'PaymentAuthorized') };
  }

  beforeAll(async () => {
    scope = await createSuiteScope('payment-service');
    topics = { bookingEvents: scope.topic('booking-events'), paymentEvents: scope.topic('payment-events') };
    await scope.createTopics(Object.values(topics).map((topic) => ({ topic, numPartitions: 3 })));
    const catalogue: Record<string, { subject: string; schema: (typeof BookingHeld)['schema'] }> = {};
    for (const contract of Object.values(EVENT_TYPES)) {
      const topic = contract.topic === BookingHeld.topic ? topics.bookingEvents : contract.topic === PaymentAuthorized.topic ? topics.paymentEvents : undefined;
      if (topic !== undefined) catalogue[contract.eventType] = { subject: `${topic}-${contract.fullName}`, schema: contract.schema };
    }
    subjects = (await registerSchemas(environment.schemaRegistry.url, catalogue)).map((entry) => entry.subject);

    database = await scope.database('payment');
    proxy = await startPspProxy({ upstreamUrl: environment.pspSandbox.url });
    marker = (await sandbox.paymentIntents.create({ amount: 100, currency: 'eur', metadata: { payment_test_marker: apiKey } })).id;

    secretsDir = mkdtempSync(join(tmpdir(), 'payment-secrets-'));
    const passwordFile = join(secretsDir, 'database-password');
    const pspKeyFile = join(secretsDir, 'psp-api-key');
    writeFileSync(passwordFile, database.password, { mode: 0o600 });
    writeFileSync(pspKeyFile, apiKey, { mode: 0o600 });
    const config = loadServiceConfig(
      {
        SERVICE_NAME: 'payment',
        HTTP_PORT: '0',
        DATABASE_HOST: database.host,
        DATABASE_PORT: String(database.port),
        DATABASE_NAME: database.database,
        DATABASE_USER: database.user,
        DATABASE_PASSWORD_FILE: passwordFile,
        KAFKA_BROKERS: environment.kafka.brokers.join(','),
        SCHEMA_REGISTRY_URL: environment.schemaRegistry.url,
        LOG_LEVEL: 'info',
        PSP_API_URL: proxy.url,
        PSP_API_KEY_FILE: pspKeyFile,
        PSP_TIMEOUT_MS: '5000',
        PLATFORM_FEE_BPS: '1000',
        PAYMENT_CALL_POLL_INTERVAL_MS: '200',
        PAYMENT_OUTCOME_POLL_INTERVAL_MS: '100',
        PAYMENT_OUTCOME_QUERY_TIME_DIVISOR: String(QUERY_TIME_DIVISOR),
      },
      readPaymentSettings,
    );
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback): void {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine);
        callback();
      },
    });
    const paymentMethodOf = (customerId: string): string => (customerId === DECLINING_CUSTOMER ? 'pm_card_chargeCustomerFail' : 'pm_card_visa');
    service = await bootstrapService(config, paymentService(config, { paymentMethodOf }), {
      topicOverrides: { [BookingHeld.topic]: topics.bookingEvents, [PaymentAuthorized.topic]: topics.paymentEvents },
      consumerGroup: scope.groupId('payment'),
      retry: TEST_RETRY,
      logger: createServiceLogger({ serviceName: 'payment', level: 'info', destination: sink }),
      telemetry: false,
    });
    pool = new Pool({ ...database, max: 2, connectionTimeoutMillis: 5_000 });
    publisher = await createKafkaPublisher({ clientId: 'payment-service-test', brokers: environment.kafka.brokers });

    reader = await collectEvents({
      brokers: environment.kafka.brokers,
      clientId: 'payment-service-test',
      groupId: scope.groupId('reader'),
      topics: [topics.paymentEvents],
      codec,
      collect: ({ eventType, key, value }) => seen.push({ eventType, key, value: value as SeenEvent['value'] }),
    });
  });

  afterAll(async () => {
    // PAYMENT_TEST_LOG_FILE=<path> keeps the service's log lines of the run for a person to read.
    if (process.env.PAYMENT_TEST_LOG_FILE !== undefined) writeFileSync(process.env.PAYMENT_TEST_LOG_FILE, logs.map((line) => JSON.stringify(line)).join('\n'));
    await reader?.stop();
    await service?.close();
    await proxy?.close();
    await publisher?.close();
    await pool?.end();
    await deleteSubjects(environment.schemaRegistry.url, subjects);
    await scope?.dispose();
    if (secretsDir !== undefined) rmSync(secretsDir, { recursive: true, force: true });
  });

  afterEach(() => proxy.faults.clear());

  it('authorizes a held booking: PaymentAuthorized, and a manual-capture PaymentIntent requires_capture at the PSP', async () => {
    const { booking, authorized } = await authorizedBooking();
    const paymentId = paymentIdOf(booking.bookingId);

    expect(authorized.key).toBe(paymentId);
    expect(authorized.value).toMatchObject({ paymentId, statusBefore: 'PENDING', statusAfter: 'AUTHORIZED', reason: 'PSP_RESPONSE', authorizedAmount: eur(PRICE_MINOR), pspIdempotencyKey: `pay_${paymentId}_authorize` });
    // Recorded from the PSP's answer, outside any consumer, yet caused by the BookingHeld that asked for the call.
    expect(authorized.value.envelope).toMatchObject({ aggregateId: paymentId, correlationId: booking.bookingId, causationId: booking.envelope.eventId, tenantId: TENANT, producer: 'payment', aggregateVersion: 1n, actor: { type: 'SERVICE', id: 'payment' } });
    const intents = await intentsAtSandbox(paymentId);
    expect(intents.map((intent) => [intent.id, intent.status, intent.capture_method, intent.amount])).toEqual([[authorized.value.pspPaymentIntentId, 'requires_capture', 'manual', Number(PRICE_MINOR)]]);
    const row = await pool.query('SELECT status, version, in_flight FROM payments WHERE payment_id = $1', [paymentId]);
    expect(row.rows).toEqual([{ status: 'AUTHORIZED', version: '1', in_flight: null }]);
    const calls = await pool.query('SELECT count(*)::int AS n FROM psp_calls WHERE payment_id = $1', [paymentId]);
    expect(calls.rows[0]?.n).toBe(0);
  });

  it('captures on BookingConfirmed: PaymentCaptured with the platform fee split as the ledger splits it', async () => {
    const { booking, authorized } = await authorizedBooking();
    await send(BookingConfirmed, confirmed(booking));

    const captured = await waitForEvent(booking.bookingId, 'PaymentCaptured');
    expect(captured.value).toMatchObject({ statusBefore: 'AUTHORIZED', statusAfter: 'CAPTURED', capturedAmount: eur(PRICE_MINOR), platformFee: eur(FEE_MINOR), pspPaymentIntentId: authorized.value.pspPaymentIntentId });
    expect(captured.value.envelope).toMatchObject({ aggregateVersion: 2n, correlationId: booking.bookingId });
    const [intent] = await intentsAtSandbox(paymentIdOf(booking.bookingId));
    expect(intent?.status).toBe('succeeded');
  });

  it('records a declined card as PaymentFailed (never retried, nothing held)', async () => {
    const booking = held(DECLINING_CUSTOMER);
    await send(BookingHeld, booking);

    const failed = await waitForEvent(booking.bookingId, 'PaymentFailed');
    expect(failed.value).toMatchObject({ statusBefore: 'PENDING', statusAfter: 'FAILED', reason: 'PSP_RESPONSE', failureCode: 'card_declined', amount: eur(PRICE_MINOR) });
    expect(eventsOf(booking.bookingId, 'PaymentAuthorized')).toHaveLength(0);
    const intents = await intentsAtSandbox(paymentIdOf(booking.bookingId));
    expect(intents.every((intent) => intent.status !== 'requires_capture' && intent.status !== 'succeeded')).toBe(true);
  });

  it('turns a 504 after the PSP authorized into outcome_unknown, then the poller resolves it to authorized with exactly one PaymentIntent', async () => {
    proxy.faults.inject({ kind: 'timeout_after_work', path: '/v1/payment_intents', method: 'POST', api_key: apiKey, times: 1, status: 504 });
    const booking = held();
    const paymentId = paymentIdOf(booking.bookingId);
    await send(BookingHeld, booking);

    const unknown = await waitForEvent(booking.bookingId, 'PaymentOutcomeUnknown');
    expect(unknown.value).toMatchObject({ statusBefore: 'PENDING', statusAfter: 'OUTCOME_UNKNOWN', operation: 'AUTHORIZE', pspIdempotencyKey: `pay_${paymentId}_authorize`, pspPaymentIntentId: null });
    expect(String(unknown.value.reason)).toContain('504');
    const authorized = await waitForEvent(booking.bookingId, 'PaymentAuthorized');
    expect(authorized.value).toMatchObject({ statusBefore: 'OUTCOME_UNKNOWN', statusAfter: 'AUTHORIZED', reason: 'PSP_QUERY' });
    expect(eventsOf(booking.bookingId, 'PaymentFailed')).toHaveLength(0);

    const intents = await intentsAtSandbox(paymentId);
    expect(intents.map((intent) => [intent.id, intent.status])).toEqual([[authorized.value.pspPaymentIntentId, 'requires_capture']]);
    expect(proxy.stats().faults_injected.timeout_after_work).toBeGreaterThanOrEqual(1);
  });

  it('refunds a cancellation after capture by policy, never more than was captured, once however often it is asked', async () => {
    const { booking } = await authorizedBooking();
    await send(BookingConfirmed, confirmed(booking));
    await waitForEvent(booking.bookingId, 'PaymentCaptured');

    // Booking's policy amount above the capture (a bug there, or a fee): payment refunds at most what it captured.
    const cancellation = cancelled(booking, eur(PRICE_MINOR + 5_000n));
    await send(BookingCancelled, cancellation);
    const refunded = await waitForEvent(booking.bookingId, 'PaymentRefunded');
    expect(refunded.value).toMatchObject({ statusBefore: 'CAPTURED', statusAfter: 'REFUNDED', refundId: cancellation.envelope.eventId, refundedAmount: eur(PRICE_MINOR), totalRefunded: eur(PRICE_MINOR), reason: 'CUSTOMER_REQUEST' });

    // The same cancellation redelivered, and a second one: no second refund.
    await send(BookingCancelled, cancellation);
    const again = cancelled(booking, eur(1_000n));
    await send(BookingCancelled, again);
    expect(await waitForOutcome(cancellation.envelope.eventId, 2)).toEqual(['applied', 'duplicate']);
    expect(await waitForOutcome(again.envelope.eventId)).toEqual(['stale']);

    const [intent] = await intentsAtSandbox(paymentIdOf(booking.bookingId));
    const refunds = await sandbox.refunds.list({ payment_intent: intent?.id ?? 'missing', limit: 100 });
    expect(refunds.data.map((refund) => refund.amount)).toEqual([Number(PRICE_MINOR)]);
    expect(eventsOf(booking.bookingId, 'PaymentRefunded')).toHaveLength(1);
  });

  it('refunds a partial policy amount after capture and leaves the payment partially refunded', async () => {
    const { booking } = await authorizedBooking();
    await send(BookingConfirmed, confirmed(booking));
    await waitForEvent(booking.bookingId, 'PaymentCaptured');

    const cancellation = cancelled(booking, eur(6_172n));
    await send(BookingCancelled, cancellation);
    const refunded = await waitForEvent(booking.bookingId, 'PaymentRefunded');
    expect(refunded.value).toMatchObject({ statusAfter: 'PARTIALLY_REFUNDED', refundedAmount: eur(6_172n), totalRefunded: eur(6_172n), pspIdempotencyKey: `pay_${paymentIdOf(booking.bookingId)}_refund_1` });
    const [intent] = await intentsAtSandbox(paymentIdOf(booking.bookingId));
    const refunds = await sandbox.refunds.list({ payment_intent: intent?.id ?? 'missing', limit: 100 });
    expect(refunds.data.map((refund) => refund.amount)).toEqual([6_172]);
  });

  it('announces a refund the PSP refused with PaymentRefundFailed: status unchanged, nothing refunded, the payment flagged for a person', async () => {
    const { booking } = await authorizedBooking();
    await send(BookingConfirmed, confirmed(booking));
    await waitForEvent(booking.bookingId, 'PaymentCaptured');
    const paymentId = paymentIdOf(booking.bookingId);
    const [intent] = await intentsAtSandbox(paymentId);

    // The PSP refuses the refund with a card error (402) instead of creating it.
    proxy.faults.inject({ kind: 'card_declined', path: '/v1/refunds', method: 'POST', api_key: apiKey, times: 1 });
    const cancellation = cancelled(booking, eur(PRICE_MINOR));
    await send(BookingCancelled, cancellation);

    const failed = await waitForEvent(booking.bookingId, 'PaymentRefundFailed');
    expect(failed.value).toMatchObject({
      paymentId,
      statusBefore: 'CAPTURED',
      statusAfter: 'CAPTURED',
      refundId: cancellation.envelope.eventId,
      requestedAmount: eur(PRICE_MINOR),
      pspPaymentIntentId: intent?.id,
      pspIdempotencyKey: `pay_${paymentId}_refund_1`,
      via: 'PSP_RESPONSE',
    });
    expect(String(failed.value.failureCode)).not.toBe('');
    const row = await pool.query<{ status: string; needs_attention: boolean }>('SELECT status, needs_attention FROM payments WHERE payment_id = $1', [paymentId]);
    expect(row.rows).toEqual([{ status: 'CAPTURED', needs_attention: true }]);
    const refunds = await sandbox.refunds.list({ payment_intent: intent?.id ?? 'missing', limit: 100 });
    expect(refunds.data).toEqual([]);
    expect(eventsOf(booking.bookingId, 'PaymentRefunded')).toHaveLength(0);
  });

  it('treats a redelivered BookingHeld as duplicate and another BookingHeld for the booking as stale: one PaymentIntent', async () => {
    const booking = held();
    const paymentId = paymentIdOf(booking.bookingId);
    await send(BookingHeld, booking);
    await send(BookingHeld, booking);
    const replayed: BookingHeld = { ...booking, envelope: envelope('BookingHeld', booking.bookingId) };
    await send(BookingHeld, replayed);

    await waitForEvent(booking.bookingId, 'PaymentAuthorized');
    expect(await waitForOutcome(booking.envelope.eventId, 2)).toEqual(['applied', 'duplicate']);
    expect(await waitForOutcome(replayed.envelope.eventId)).toEqual(['stale']);
    const unapplied = await pool.query('SELECT outcome, reason FROM unapplied_messages WHERE event_id = $1', [replayed.envelope.eventId]);
    expect(unapplied.rows).toEqual([{ outcome: 'stale', reason: 'PAYMENT_ALREADY_CREATED' }]);
    expect(await intentsAtSandbox(paymentId)).toHaveLength(1);
    expect(eventsOf(booking.bookingId, 'PaymentAuthorized')).toHaveLength(1);
  });
});
