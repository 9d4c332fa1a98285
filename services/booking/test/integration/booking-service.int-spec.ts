import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Client, Pool } from 'pg';
import {
  BookingHeld,
  CompleteBooking,
  EVENT_TYPES,
  PaymentAuthorized,
  RequestBooking,
  type Actor,
  type Envelope,
  type EventContract,
} from '@txn/contracts';
import { AvroCodec, createKafkaPublisher, MESSAGE_HEADERS, type RecordPublisher } from '@txn/messaging';
import { registerSchemas } from '@txn/schema-deploy';
import { bootstrapService, createServiceLogger, loadServiceConfig, type RunningService } from '@txn/service-kit';
import { collectEvents, createSuiteScope, deleteSubjects, type EventCollector, type SuiteDatabase, type SuiteScope, testEnvironment, waitFor } from '@txn/testing';
import { bookingService } from '../../src/service';
import { DEFAULT_BOOKING_SETTINGS } from '../../src/settings';

// The booking service in-process (bootstrapService, as main.ts does) on the real PostgreSQL,
// Kafka and registry: a suite database, suite topics (topicOverrides), a suite consumer group.

/** Joining a group, a handler transaction and the relay's poll take well under a second here. */
const FLOW_TIMEOUT_MS = 30_000;
const TENANT = 'merchant-1';
const CUSTOMER_EMAIL = 'customer@example.test';
const CUSTOMER: Actor = { type: 'USER', id: 'customer-1' };
const TEST_RETRY = { maxAttempts: 2, initialDelay_ms: 20, maxDelay_ms: 100 };
const HOUR_MS = 3_600_000;

interface LogLine {
  readonly msg: string;
  readonly [field: string]: unknown;
}

interface SeenEvent {
  readonly eventType: string;
  readonly key: string | undefined;
  readonly value: { readonly envelope: Envelope; readonly bookingId: string; readonly [field: string]: unknown };
}

function envelope(eventType: string, aggregateId: string, actor: Actor = CUSTOMER, occurredAt = new Date()): Envelope {
  return { eventId: randomUUID(), eventType, occurredAt, producer: 'booking-test', aggregateId, aggregateVersion: 0n, correlationId: aggregateId, causationId: null, actor, tenantId: TENANT };
}

describe('booking service (in-process, real PostgreSQL, Kafka, registry)', () => {
  const environment = testEnvironment();
  const codec = new AvroCodec({ registryUrl: environment.schemaRegistry.url, clientId: 'booking-service-test' });
  const logs: LogLine[] = [];
  const seen: SeenEvent[] = [];
  let scope: SuiteScope;
  let database: SuiteDatabase;
  let pool: Pool;
  let service: RunningService | undefined;
  let publisher: RecordPublisher;
  let reader: EventCollector | undefined;
  let secretsDir: string;
  let topics: { commands: string; bookingEvents: string; paymentEvents: string };
  let subjects: string[] = [];

  async function send<T extends { readonly envelope: Envelope }>(contract: EventContract<T>, event: T, key: string): Promise<void> {
    const topic = contract.topic === RequestBooking.topic ? topics.commands : topics.paymentEvents;
    const value = await codec.encode(`${topic}-${contract.fullName}`, contract.schema, event);
    await publisher.publish([
      { topic, key, value, headers: { [MESSAGE_HEADERS.eventId]: event.envelope.eventId, [MESSAGE_HEADERS.eventType]: contract.eventType, [MESSAGE_HEADERS.correlationId]: event.envelope.correlationId } },
    ]);
  }

  function outcomesOf(eventId: string): unknown[] {
    return logs.filter((line) => line.msg === 'message handled' && line.eventId === eventId).map((line) => line.outcome);
  }

  function eventsOf(bookingId: string, eventType?: string): SeenEvent[] {
    return seen.filter((event) => event.value.bookingId === bookingId && (eventType === undefined || event.eventType === eventType));
  }

  function waitForEvent(bookingId: string, eventType: string): Promise<SeenEvent> {
    return waitFor(`${eventType} for booking ${bookingId}`, () => eventsOf(bookingId, eventType)[0], FLOW_TIMEOUT_MS);
  }

  async function addResource(): Promise<string> {
    const resourceId = `room-${randomUUID().slice(0, 8)}`;
    await pool.query('INSERT INTO resources (tenant_id, resource_id, name) VALUES ($1, $2, $3)', [TENANT, resourceId, 'Room']);
    return resourceId;
  }

  function requestBookingCommand(resourceId: string, startsAt: Date, options: { holdFor_ms?: number } = {}): RequestBooking {
    const bookingId = randomUUID();
    const now = Date.now();
    return {
      envelope: envelope('RequestBooking', bookingId),
      bookingId,
      requestIdempotencyKey: randomUUID(),
      customerId: CUSTOMER.id,
      customerEmail: CUSTOMER_EMAIL,
      slot: { resourceId, startsAt, endsAt: new Date(startsAt.getTime() + HOUR_MS) },
      price: { amountMinor: 12_345n, currency: 'EUR' },
      holdExpiresAt: new Date(now + (options.holdFor_ms ?? 15 * 60_000)),
    };
  }

  async function decisionCount(labels: Record<string, string>): Promise<number> {
    const metric = await service?.dependencies.metrics.getSingleMetric('booking_decisions_total')?.get();
    return (metric?.values ?? []).filter((value) => Object.entries(labels).every(([name, wanted]) => value.labels[name] === wanted)).reduce((sum, value) => sum + value.value, 0);
  }

  beforeAll(async () => {
    scope = await createSuiteScope('booking-service');
    topics = { commands: scope.topic('booking-commands'), bookingEvents: scope.topic('booking-events'), paymentEvents: scope.topic('payment-events') };
    await scope.createTopics(Object.values(topics).map((topic) => ({ topic, numPartitions: 3 })));
    const catalogue: Record<string, { subject: string; schema: (typeof RequestBooking)['schema'] }> = {};
    for (const contract of Object.values(EVENT_TYPES)) {
      const topic = contract.topic === RequestBooking.topic ? topics.commands : contract.topic === BookingHeld.topic ? topics.bookingEvents : contract.topic === PaymentAuthorized.topic ? topics.paymentEvents : undefined;
      if (topic !== undefined) catalogue[contract.eventType] = { subject: `${topic}-${contract.fullName}`, schema: contract.schema };
    }
    subjects = (await registerSchemas(environment.schemaRegistry.url, catalogue)).map((entry) => entry.subject);

    database = await scope.database('booking');
    // What the services component does for the real database: the administrator installs btree_gist.
    const admin = new Client({ host: database.host, port: database.port, database: database.database, user: environment.postgres.adminUser, password: environment.postgres.adminPassword });
    await admin.connect();
    await admin.query('CREATE EXTENSION IF NOT EXISTS btree_gist').finally(() => admin.end());

    secretsDir = mkdtempSync(join(tmpdir(), 'booking-secrets-'));
    const passwordFile = join(secretsDir, 'database-password');
    writeFileSync(passwordFile, database.password, { mode: 0o600 });
    const config = loadServiceConfig(
      {
        SERVICE_NAME: 'booking',
        HTTP_PORT: '0',
        DATABASE_HOST: database.host,
        DATABASE_PORT: String(database.port),
        DATABASE_NAME: database.database,
        DATABASE_USER: database.user,
        DATABASE_PASSWORD_FILE: passwordFile,
        KAFKA_BROKERS: environment.kafka.brokers.join(','),
        SCHEMA_REGISTRY_URL: environment.schemaRegistry.url,
        LOG_LEVEL: 'info',
      },
      () => ({}),
    );
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback): void {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine);
        callback();
      },
    });
    const overrides = { [RequestBooking.topic]: topics.commands, [BookingHeld.topic]: topics.bookingEvents, [PaymentAuthorized.topic]: topics.paymentEvents };
    service = await bootstrapService(config, bookingService({ ...DEFAULT_BOOKING_SETTINGS, hold_ms: 15 * 60_000, expirySweepInterval_ms: 100, expiryBatchSize: 50 }), {
      topicOverrides: overrides,
      consumerGroup: scope.groupId('booking'),
      retry: TEST_RETRY,
      logger: createServiceLogger({ serviceName: 'booking', level: 'info', destination: sink }),
      telemetry: false,
    });
    pool = new Pool({ ...database, max: 2, connectionTimeoutMillis: 5_000 });
    publisher = await createKafkaPublisher({ clientId: 'booking-service-test', brokers: environment.kafka.brokers });

    reader = await collectEvents({
      brokers: environment.kafka.brokers,
      clientId: 'booking-service-test',
      groupId: scope.groupId('reader'),
      topics: [topics.bookingEvents],
      codec,
      collect: ({ eventType, key, value }) => seen.push({ eventType, key, value: value as SeenEvent['value'] }),
    });
  });

  afterAll(async () => {
    await reader?.stop();
    await service?.close();
    await publisher?.close();
    await pool?.end();
    await deleteSubjects(environment.schemaRegistry.url, subjects);
    await scope?.dispose();
    if (secretsDir !== undefined) rmSync(secretsDir, { recursive: true, force: true });
  });

  it('holds a requested slot: BookingHeld on booking events, keyed and enveloped for the saga, and reports ready', async () => {
    const resourceId = await addResource();
    const command = requestBookingCommand(resourceId, new Date(Date.now() + 24 * HOUR_MS));
    await send(RequestBooking, command, command.bookingId);

    const held = await waitForEvent(command.bookingId, 'BookingHeld');
    expect(held.key).toBe(command.bookingId);
    expect(held.value.envelope).toMatchObject({ aggregateId: command.bookingId, correlationId: command.bookingId, causationId: command.envelope.eventId, actor: CUSTOMER, tenantId: TENANT, producer: 'booking', aggregateVersion: 1n });
    expect(held.value).toMatchObject({ statusBefore: null, statusAfter: 'HELD', price: { amountMinor: 12_345n, currency: 'EUR' } });
    const row = await pool.query('SELECT status, version FROM bookings WHERE booking_id = $1', [command.bookingId]);
    expect(row.rows).toEqual([{ status: 'HELD', version: '1' }]);

    const ready = await fetch(`http://127.0.0.1:${service?.httpPort}/health/ready`, { signal: AbortSignal.timeout(5_000) });
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${service?.httpPort}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    expect(metrics).toContain('booking_decisions_total{message_type="RequestBooking",outcome="applied"');
    // Personal data never reaches a log line.
    expect(JSON.stringify(logs)).not.toContain(CUSTOMER_EMAIL);
  });

  it('gives one slot to exactly one of ten concurrent requests; the exclusion constraint rejects the other nine', async () => {
    const resourceId = await addResource();
    const startsAt = new Date(Date.now() + 48 * HOUR_MS);
    const commands = Array.from({ length: 10 }, () => requestBookingCommand(resourceId, startsAt));
    await Promise.all(commands.map((command) => send(RequestBooking, command, command.bookingId)));

    await waitFor('a decision for each of the ten requests', () => (commands.every((command) => eventsOf(command.bookingId).length > 0) ? true : undefined), FLOW_TIMEOUT_MS);
    const decided = commands.map((command) => eventsOf(command.bookingId)[0]);
    expect(decided.filter((event) => event?.eventType === 'BookingHeld')).toHaveLength(1);
    const rejected = decided.filter((event) => event?.eventType === 'BookingRejected');
    expect(rejected).toHaveLength(9);
    for (const event of rejected) expect(event?.value).toMatchObject({ rejectionCode: 'SLOT_UNAVAILABLE', statusAfter: 'REJECTED' });
    const live = await pool.query("SELECT count(*)::int AS n FROM bookings WHERE resource_id = $1 AND status IN ('HELD', 'CONFIRMED', 'COMPLETED')", [resourceId]);
    expect(live.rows[0]?.n).toBe(1);

    // The database itself refuses an overlapping live booking, whatever the code does.
    await expect(
      pool.query(
        `INSERT INTO bookings (booking_id, tenant_id, resource_id, starts_at, ends_at, status, version, hold_expires_at, customer_id, price_minor, currency, deadline_stage, deadline_at)
         VALUES ($1, $2, $3, $4, $5, 'HELD', 1, now(), 'intruder', 1, 'EUR', 'HOLD', now())`,
        [randomUUID(), TENANT, resourceId, new Date(startsAt.getTime() + 30 * 60_000), new Date(startsAt.getTime() + 2 * HOUR_MS)],
      ),
    ).rejects.toMatchObject({ code: '23P01' });
  });

  it('confirms a held booking on PaymentAuthorized', async () => {
    const resourceId = await addResource();
    const command = requestBookingCommand(resourceId, new Date(Date.now() + 72 * HOUR_MS));
    await send(RequestBooking, command, command.bookingId);
    await waitForEvent(command.bookingId, 'BookingHeld');

    const paymentId = randomUUID();
    const authorized: PaymentAuthorized = {
      envelope: { ...envelope('PaymentAuthorized', paymentId, { type: 'SERVICE', id: 'payment' }), correlationId: command.bookingId },
      paymentId,
      bookingId: command.bookingId,
      statusBefore: 'PENDING',
      statusAfter: 'AUTHORIZED',
      reason: 'PSP_RESPONSE',
      pspPaymentIntentId: 'pi_test',
      pspIdempotencyKey: `pay_${paymentId}_authorize`,
      authorizedAmount: { amountMinor: 12_345n, currency: 'EUR' },
      authorizationExpiresAt: null,
    };
    await send(PaymentAuthorized, authorized, paymentId);

    const confirmed = await waitForEvent(command.bookingId, 'BookingConfirmed');
    expect(confirmed.value).toMatchObject({ statusBefore: 'HELD', statusAfter: 'CONFIRMED', paymentId, reason: 'PAYMENT_AUTHORIZED' });
    expect(confirmed.value.envelope).toMatchObject({ causationId: authorized.envelope.eventId, correlationId: command.bookingId, aggregateVersion: 2n, actor: { type: 'SERVICE', id: 'booking' } });
  });

  it('expires an unpaid hold when its deadline passes: BookingExpired from the sweeper', async () => {
    const resourceId = await addResource();
    const command = requestBookingCommand(resourceId, new Date(Date.now() + 96 * HOUR_MS), { holdFor_ms: 1_500 });
    await send(RequestBooking, command, command.bookingId);
    await waitForEvent(command.bookingId, 'BookingHeld');

    const expired = await waitForEvent(command.bookingId, 'BookingExpired');
    expect(expired.value).toMatchObject({ statusBefore: 'HELD', statusAfter: 'EXPIRED', reason: 'HOLD_EXPIRED' });
    expect(expired.value.envelope).toMatchObject({ causationId: null, correlationId: command.bookingId, aggregateVersion: 2n, actor: { type: 'SYSTEM', id: 'booking-expiry-sweeper' } });
    // The slot is free again: a new request for it is held.
    const again = requestBookingCommand(resourceId, command.slot.startsAt);
    await send(RequestBooking, again, again.bookingId);
    await waitForEvent(again.bookingId, 'BookingHeld');
  });

  it('records a redelivered command as duplicate and emits nothing more', async () => {
    const resourceId = await addResource();
    const command = requestBookingCommand(resourceId, new Date(Date.now() + 120 * HOUR_MS));
    await send(RequestBooking, command, command.bookingId);
    await waitForEvent(command.bookingId, 'BookingHeld');

    await send(RequestBooking, command, command.bookingId);
    await waitFor('the redelivery to be handled', () => (outcomesOf(command.envelope.eventId).includes('duplicate') ? true : undefined), FLOW_TIMEOUT_MS);
    expect(outcomesOf(command.envelope.eventId)).toEqual(['applied', 'duplicate']);
    const outbox = await pool.query("SELECT event_type FROM outbox WHERE message_key = $1", [command.bookingId]);
    expect(outbox.rows).toEqual([{ event_type: 'BookingHeld' }]);
  });

  it('refuses an illegal transition (completing a held booking): recorded as rejected with its reason, not applied', async () => {
    const resourceId = await addResource();
    const command = requestBookingCommand(resourceId, new Date(Date.now() + 144 * HOUR_MS));
    await send(RequestBooking, command, command.bookingId);
    await waitForEvent(command.bookingId, 'BookingHeld');
    const refusedBefore = await decisionCount({ message_type: 'CompleteBooking', outcome: 'rejected', reason: 'NOT_CONFIRMED' });

    const completion: CompleteBooking = { envelope: envelope('CompleteBooking', command.bookingId, { type: 'API_KEY', id: 'merchant-key' }), bookingId: command.bookingId, deliveredAt: new Date(), reason: null };
    await send(CompleteBooking, completion, command.bookingId);
    await waitFor('the completion to be handled', () => (outcomesOf(completion.envelope.eventId).length > 0 ? true : undefined), FLOW_TIMEOUT_MS);

    expect(outcomesOf(completion.envelope.eventId)).toEqual(['rejected']);
    const recorded = await pool.query('SELECT outcome, reason, status, actor_type, actor_id FROM unapplied_messages WHERE event_id = $1', [completion.envelope.eventId]);
    expect(recorded.rows).toEqual([{ outcome: 'rejected', reason: 'NOT_CONFIRMED', status: 'HELD', actor_type: 'API_KEY', actor_id: 'merchant-key' }]);
    const inbox = await pool.query('SELECT outcome FROM inbox WHERE event_id = $1', [completion.envelope.eventId]);
    expect(inbox.rows).toEqual([{ outcome: 'rejected' }]);
    const row = await pool.query('SELECT status, version FROM bookings WHERE booking_id = $1', [command.bookingId]);
    expect(row.rows).toEqual([{ status: 'HELD', version: '1' }]);
    const outbox = await pool.query("SELECT 1 FROM outbox WHERE message_key = $1 AND event_type = 'BookingCompleted'", [command.bookingId]);
    expect(outbox.rows).toHaveLength(0);
    expect(await decisionCount({ message_type: 'CompleteBooking', outcome: 'rejected', reason: 'NOT_CONFIRMED' })).toBe(refusedBefore + 1);
    expect(logs.some((line) => line.msg === 'booking refused a message' && line.eventId === completion.envelope.eventId && line.reason === 'NOT_CONFIRMED')).toBe(true);
  });
});
