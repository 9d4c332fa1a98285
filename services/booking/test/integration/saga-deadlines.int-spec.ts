import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Client, Pool } from 'pg';
import {
  BookingDeadlineReached,
  BookingHeld,
  EVENT_TYPES,
  PaymentAuthorized,
  PaymentCaptured,
  RequestBooking,
  type Actor,
  type Envelope,
  type EventContract,
} from '@txn/contracts';
import { AvroCodec, createKafkaPublisher, MESSAGE_HEADERS, type RecordPublisher } from '@txn/messaging';
import { registerSchemas } from '@txn/schema-deploy';
import { bootstrapService, createServiceLogger, loadServiceConfig, type RunningService } from '@txn/service-kit';
import { fromPgClient } from '@txn/sql';
import { collectEvents, createSuiteScope, deleteSubjects, type EventCollector, type SuiteDatabase, type SuiteScope, testEnvironment, waitFor } from '@txn/testing';
import { countOverdue } from '../../src/persistence/bookings';
import { bookingService } from '../../src/service';
import { DEFAULT_BOOKING_SETTINGS, type BookingSettings } from '../../src/settings';

// Saga deadlines in the booking service, in-process (bootstrapService, as main.ts does) on the real
// PostgreSQL, Kafka and registry: the watcher writes BookingDeadlineReached to booking.commands,
// booking consumes it like any command and ends the saga, or records it stale; overdue sagas show
// in the overdue_sagas view and the booking_sagas_overdue gauge.

/** Joining a group, a handler transaction and the relay's poll take well under a second here. */
const FLOW_TIMEOUT_MS = 30_000;
const TENANT = 'merchant-deadlines';
const CUSTOMER: Actor = { type: 'USER', id: 'customer-1' };
const PAYMENT_SERVICE: Actor = { type: 'SERVICE', id: 'payment' };
const WATCHER: Actor = { type: 'SYSTEM', id: 'booking-deadline-watcher' };
const TEST_RETRY = { maxAttempts: 2, initialDelay_ms: 20, maxDelay_ms: 100 };
const HOUR_MS = 3_600_000;
const PRICE_MINOR = 12_345n;
/**
 * Long enough that a capture sent right behind the authorization (same key, same partition, so
 * consumed after it) is recorded well before it; short enough to keep the test short.
 */
const CAPTURE_DEADLINE_MS = 4_000;
const COMPLETION_GRACE_MS = 500;
const SETTINGS: BookingSettings = {
  ...DEFAULT_BOOKING_SETTINGS,
  expirySweepInterval_ms: 100,
  expiryBatchSize: 50,
  captureDeadline_ms: CAPTURE_DEADLINE_MS,
  completionGrace_ms: COMPLETION_GRACE_MS,
  deadlineWatchInterval_ms: 100,
  deadlineBatchSize: 50,
};
/** The slot of the completion test starts this far ahead: a RequestBooking consumed after the start would be rejected SLOT_IN_PAST. */
const NEAR_SLOT_LEAD_MS = 5_000;

interface LogLine {
  readonly msg: string;
  readonly [field: string]: unknown;
}

interface SeenEvent {
  readonly eventType: string;
  readonly key: string | undefined;
  readonly value: { readonly envelope: Envelope; readonly bookingId: string; readonly [field: string]: unknown };
}

function envelope(eventType: string, aggregateId: string, actor: Actor = CUSTOMER): Envelope {
  return { eventId: randomUUID(), eventType, occurredAt: new Date(), producer: 'booking-deadlines-test', aggregateId, aggregateVersion: 0n, correlationId: aggregateId, causationId: null, actor, tenantId: TENANT };
}

describe('booking saga deadlines (in-process, real PostgreSQL, Kafka, registry)', () => {
  const environment = testEnvironment();
  const codec = new AvroCodec({ registryUrl: environment.schemaRegistry.url, clientId: 'booking-deadlines-test' });
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

  function waitForOutcome(eventId: string): Promise<unknown[]> {
    return waitFor(`the consumer's outcome for ${eventId}`, () => (outcomesOf(eventId).length > 0 ? outcomesOf(eventId) : undefined), FLOW_TIMEOUT_MS);
  }

  function eventsOf(bookingId: string, eventType: string): SeenEvent[] {
    return seen.filter((event) => event.value.bookingId === bookingId && event.eventType === eventType);
  }

  function waitForEvent(bookingId: string, eventType: string): Promise<SeenEvent> {
    return waitFor(`${eventType} for booking ${bookingId}`, () => eventsOf(bookingId, eventType)[0], FLOW_TIMEOUT_MS);
  }

  async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
    const metric = await service?.dependencies.metrics.getSingleMetric(name)?.get();
    return (metric?.values ?? []).filter((value) => Object.entries(labels).every(([label, wanted]) => value.labels[label] === wanted)).reduce((sum, value) => sum + value.value, 0);
  }

  async function bookingRow(bookingId: string): Promise<Record<string, unknown> | undefined> {
    const rows = await pool.query('SELECT status, version::text, confirmed_at, deadline_stage, deadline_at, timeout_requested_at FROM bookings WHERE booking_id = $1', [bookingId]);
    return rows.rows[0] as Record<string, unknown> | undefined;
  }

  /** A held booking of a fresh resource; its slot starts at `startsAt` and lasts `length_ms`. */
  async function holdBooking(startsAt: Date, length_ms = HOUR_MS): Promise<RequestBooking> {
    const resourceId = `room-${randomUUID().slice(0, 8)}`;
    await pool.query('INSERT INTO resources (tenant_id, resource_id, name) VALUES ($1, $2, $3)', [TENANT, resourceId, 'Room']);
    const bookingId = randomUUID();
    const command: RequestBooking = {
      envelope: envelope('RequestBooking', bookingId),
      bookingId,
      requestIdempotencyKey: randomUUID(),
      customerId: CUSTOMER.id,
      customerEmail: null,
      slot: { resourceId, startsAt, endsAt: new Date(startsAt.getTime() + length_ms) },
      price: { amountMinor: PRICE_MINOR, currency: 'EUR' },
      holdExpiresAt: new Date(Date.now() + 15 * 60_000),
    };
    await send(RequestBooking, command, bookingId);
    await waitForEvent(bookingId, 'BookingHeld');
    return command;
  }

  function authorization(bookingId: string, paymentId: string): PaymentAuthorized {
    return {
      envelope: { ...envelope('PaymentAuthorized', paymentId, PAYMENT_SERVICE), correlationId: bookingId },
      paymentId,
      bookingId,
      statusBefore: 'PENDING',
      statusAfter: 'AUTHORIZED',
      reason: 'PSP_RESPONSE',
      pspPaymentIntentId: 'pi_test',
      pspIdempotencyKey: `pay_${paymentId}_authorize`,
      authorizedAmount: { amountMinor: PRICE_MINOR, currency: 'EUR' },
      authorizationExpiresAt: null,
    };
  }

  function capture(bookingId: string, paymentId: string): PaymentCaptured {
    return {
      envelope: { ...envelope('PaymentCaptured', paymentId, PAYMENT_SERVICE), correlationId: bookingId },
      paymentId,
      bookingId,
      statusBefore: 'AUTHORIZED',
      statusAfter: 'CAPTURED',
      reason: 'PSP_RESPONSE',
      pspPaymentIntentId: 'pi_test',
      pspIdempotencyKey: `pay_${paymentId}_capture`,
      pspChargeId: null,
      capturedAmount: { amountMinor: PRICE_MINOR, currency: 'EUR' },
      platformFee: { amountMinor: 1_235n, currency: 'EUR' },
    };
  }

  /** Authorized and captured, sent back to back with the payment's key: one partition, consumed in this order. */
  async function confirmAndCapture(bookingId: string): Promise<string> {
    const paymentId = randomUUID();
    const captured = capture(bookingId, paymentId);
    await send(PaymentAuthorized, authorization(bookingId, paymentId), paymentId);
    await send(PaymentCaptured, captured, paymentId);
    expect(await waitForOutcome(captured.envelope.eventId)).toEqual(['applied']);
    return paymentId;
  }

  beforeAll(async () => {
    scope = await createSuiteScope('booking-deadlines');
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

    secretsDir = mkdtempSync(join(tmpdir(), 'booking-deadlines-secrets-'));
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
    service = await bootstrapService(config, bookingService(SETTINGS), {
      topicOverrides: overrides,
      consumerGroup: scope.groupId('booking'),
      retry: TEST_RETRY,
      logger: createServiceLogger({ serviceName: 'booking', level: 'info', destination: sink }),
      telemetry: false,
    });
    pool = new Pool({ ...database, max: 2, connectionTimeoutMillis: 5_000 });
    publisher = await createKafkaPublisher({ clientId: 'booking-deadlines-test', brokers: environment.kafka.brokers });

    // The commands topic too: the watcher's BookingDeadlineReached travels on it.
    reader = await collectEvents({
      brokers: environment.kafka.brokers,
      clientId: 'booking-deadlines-test',
      groupId: scope.groupId('reader'),
      topics: [topics.commands, topics.bookingEvents],
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

  it('cancels a confirmed booking whose capture is not recorded by its deadline: BookingDeadlineReached on booking.commands, then BookingCancelled(SAGA_DEADLINE_EXCEEDED) with a full refund; a late capture is stale', async () => {
    const timeoutsBefore = await metricValue('booking_saga_timeouts_total', { stage: 'CAPTURE' });
    const { bookingId } = await holdBooking(new Date(Date.now() + 48 * HOUR_MS));
    const paymentId = randomUUID();
    await send(PaymentAuthorized, authorization(bookingId, paymentId), paymentId);
    const confirmed = await waitForEvent(bookingId, 'BookingConfirmed');

    // The deadline is fixed at confirmation: confirmed_at + the capture deadline.
    const atConfirmation = await bookingRow(bookingId);
    expect(atConfirmation).toMatchObject({ status: 'CONFIRMED', deadline_stage: 'CAPTURE', confirmed_at: confirmed.value.envelope.occurredAt, timeout_requested_at: null });
    const deadlineAt = atConfirmation?.deadline_at as Date;
    expect(deadlineAt.getTime()).toBe(confirmed.value.envelope.occurredAt.getTime() + CAPTURE_DEADLINE_MS);

    const reached = await waitForEvent(bookingId, 'BookingDeadlineReached');
    expect(reached.key).toBe(bookingId);
    expect(reached.value).toMatchObject({ stage: 'CAPTURE', deadlineAt, statusSeen: 'CONFIRMED' });
    expect(reached.value.envelope).toMatchObject({ actor: WATCHER, causationId: null, correlationId: bookingId, aggregateVersion: 2n, producer: 'booking' });
    expect(reached.value.envelope.occurredAt.getTime()).toBeGreaterThanOrEqual(deadlineAt.getTime());

    const cancelled = await waitForEvent(bookingId, 'BookingCancelled');
    expect(cancelled.value).toMatchObject({ statusBefore: 'CONFIRMED', statusAfter: 'CANCELLED', reason: 'SAGA_DEADLINE_EXCEEDED', paymentId, refundAmount: { amountMinor: PRICE_MINOR, currency: 'EUR' } });
    expect(cancelled.value.envelope).toMatchObject({ actor: WATCHER, causationId: reached.value.envelope.eventId, aggregateVersion: 3n });
    expect(await waitForOutcome(reached.value.envelope.eventId)).toEqual(['applied']);
    // Terminal: no deadline any more, the timeout request forgotten with its stage.
    expect(await bookingRow(bookingId)).toMatchObject({ status: 'CANCELLED', version: '3', deadline_stage: null, deadline_at: null, timeout_requested_at: null });
    expect(await metricValue('booking_saga_timeouts_total', { stage: 'CAPTURE' })).toBe(timeoutsBefore + 1);
    // One timeout per stage: the watcher did not ask twice.
    expect(eventsOf(bookingId, 'BookingDeadlineReached')).toHaveLength(1);

    // The capture lands after all: booking ignores it (payment refunds it, as it remembered the cancellation).
    const late = capture(bookingId, paymentId);
    await send(PaymentCaptured, late, paymentId);
    expect(await waitForOutcome(late.envelope.eventId)).toEqual(['stale']);
    const recorded = await pool.query('SELECT outcome, reason FROM unapplied_messages WHERE event_id = $1', [late.envelope.eventId]);
    expect(recorded.rows).toEqual([{ outcome: 'stale', reason: 'BOOKING_CANCELLED' }]);
  });

  it('completes a captured booking the merchant never completed, the grace after its slot ended: BookingCompleted(DELIVERY_PRESUMED), delivered at the slot end, by the watcher', async () => {
    const timeoutsBefore = await metricValue('booking_saga_timeouts_total', { stage: 'COMPLETION' });
    const slotLength_ms = 1_000;
    const { bookingId, slot } = await holdBooking(new Date(Date.now() + NEAR_SLOT_LEAD_MS), slotLength_ms);
    const paymentId = await confirmAndCapture(bookingId);
    expect(await bookingRow(bookingId)).toMatchObject({ status: 'CONFIRMED', deadline_stage: 'COMPLETION', deadline_at: new Date(slot.endsAt.getTime() + COMPLETION_GRACE_MS) });

    const reached = await waitForEvent(bookingId, 'BookingDeadlineReached');
    expect(reached.value).toMatchObject({ stage: 'COMPLETION', deadlineAt: new Date(slot.endsAt.getTime() + COMPLETION_GRACE_MS), statusSeen: 'CONFIRMED' });
    const completed = await waitForEvent(bookingId, 'BookingCompleted');
    expect(completed.value).toMatchObject({ statusBefore: 'CONFIRMED', statusAfter: 'COMPLETED', reason: 'DELIVERY_PRESUMED', paymentId, deliveredAt: slot.endsAt });
    expect(completed.value.envelope).toMatchObject({ actor: WATCHER, causationId: reached.value.envelope.eventId });
    expect(await bookingRow(bookingId)).toMatchObject({ status: 'COMPLETED', deadline_stage: null, deadline_at: null });
    expect(await metricValue('booking_saga_timeouts_total', { stage: 'COMPLETION' })).toBe(timeoutsBefore + 1);
  });

  it('records a timeout the saga has overtaken as stale, and refuses one that does not come from the platform; the booking is unchanged', async () => {
    const { bookingId } = await holdBooking(new Date(Date.now() + 72 * HOUR_MS));
    await confirmAndCapture(bookingId);
    const before = await bookingRow(bookingId);
    expect(before).toMatchObject({ status: 'CONFIRMED', deadline_stage: 'COMPLETION' });

    // A capture timeout that was on its way when the capture was recorded.
    const overtaken: BookingDeadlineReached = { envelope: envelope('BookingDeadlineReached', bookingId, WATCHER), bookingId, stage: 'CAPTURE', deadlineAt: new Date(Date.now() - 1_000), statusSeen: 'CONFIRMED' };
    await send(BookingDeadlineReached, overtaken, bookingId);
    expect(await waitForOutcome(overtaken.envelope.eventId)).toEqual(['stale']);
    // The same command from a merchant's key would complete without delivery: refused.
    const forged: BookingDeadlineReached = { ...overtaken, envelope: envelope('BookingDeadlineReached', bookingId, { type: 'API_KEY', id: 'merchant-key' }), stage: 'COMPLETION' };
    await send(BookingDeadlineReached, forged, bookingId);
    expect(await waitForOutcome(forged.envelope.eventId)).toEqual(['rejected']);

    const recorded = await pool.query('SELECT event_id, outcome, reason, status FROM unapplied_messages WHERE booking_id = $1 ORDER BY outcome DESC', [bookingId]);
    expect(recorded.rows).toEqual([
      { event_id: overtaken.envelope.eventId, outcome: 'stale', reason: 'STAGE_PASSED', status: 'CONFIRMED' },
      { event_id: forged.envelope.eventId, outcome: 'rejected', reason: 'NOT_SYSTEM', status: 'CONFIRMED' },
    ]);
    expect(await bookingRow(bookingId)).toEqual(before);
    expect(eventsOf(bookingId, 'BookingCompleted')).toHaveLength(0);
  });

  it('shows a saga stuck past its deadline in overdue_sagas and booking_sagas_overdue until it ends', async () => {
    const { bookingId } = await holdBooking(new Date(Date.now() + 96 * HOUR_MS));
    const paymentId = randomUUID();
    await send(PaymentAuthorized, authorization(bookingId, paymentId), paymentId);
    await waitForEvent(bookingId, 'BookingConfirmed');
    // A timeout that was requested and never applied (say its command sits on the dead-letter
    // topic): the watcher does not ask twice, so only the view and the gauge can tell.
    const requestedAt = new Date(Date.now() - 60_000);
    await pool.query("UPDATE bookings SET deadline_at = now() - interval '10 minutes', timeout_requested_at = $2 WHERE booking_id = $1", [bookingId, requestedAt]);

    const listed = await pool.query('SELECT booking_id, tenant_id, status, stage, overdue_ms::int AS overdue_ms, timeout_requested_at FROM overdue_sagas WHERE booking_id = $1', [bookingId]);
    expect(listed.rows).toEqual([{ booking_id: bookingId, tenant_id: TENANT, status: 'CONFIRMED', stage: 'CAPTURE', overdue_ms: expect.any(Number), timeout_requested_at: requestedAt }]);
    expect(listed.rows[0].overdue_ms).toBeGreaterThanOrEqual(10 * 60_000);
    await waitFor('the gauge to count the stuck saga', async () => ((await metricValue('booking_sagas_overdue', { stage: 'CAPTURE' })) === 1 ? true : undefined), FLOW_TIMEOUT_MS);
    const metrics = await (await fetch(`http://127.0.0.1:${service?.httpPort}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    expect(metrics).toContain('booking_sagas_overdue{stage="CAPTURE",service="booking"} 1');
    expect(metrics).toContain('booking_sagas_overdue{stage="HOLD",service="booking"} 0');

    // Someone ends it (here: the timeout is asked for again); the gauge goes back to zero.
    await pool.query('UPDATE bookings SET timeout_requested_at = NULL WHERE booking_id = $1', [bookingId]);
    expect((await waitForEvent(bookingId, 'BookingCancelled')).value).toMatchObject({ reason: 'SAGA_DEADLINE_EXCEEDED' });
    await waitFor('the gauge to drop to zero', async () => ((await metricValue('booking_sagas_overdue', { stage: 'CAPTURE' })) === 0 ? true : undefined), FLOW_TIMEOUT_MS);
    expect((await pool.query('SELECT 1 FROM overdue_sagas WHERE booking_id = $1', [bookingId])).rows).toEqual([]);
  });

  it('counts a HELD booking as overdue only once the sweeper had an interval to expire it; the count is per stage and bounded', async () => {
    // Inside one uncommitted transaction: the sweeper and the watcher cannot see (or end) these rows.
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const now = (await client.query<{ now: Date }>('SELECT now()')).rows[0]?.now as Date;
      const insert = (ageOfDeadline_ms: number) =>
        client.query(
          `INSERT INTO bookings (booking_id, tenant_id, resource_id, starts_at, ends_at, status, version, hold_expires_at, customer_id, price_minor, currency, deadline_stage, deadline_at)
           VALUES ($1, $2, $3, $4, $5, 'HELD', 1, $6, 'c', 1, 'EUR', 'HOLD', $6)`,
          [randomUUID(), TENANT, `room-${randomUUID().slice(0, 8)}`, new Date(now.getTime() + HOUR_MS), new Date(now.getTime() + 2 * HOUR_MS), new Date(now.getTime() - ageOfDeadline_ms)],
        );
      // One just expired (the sweeper's next run is due), two long past.
      await insert(50);
      await insert(HOUR_MS);
      await insert(2 * HOUR_MS);
      const cutoffs = { hold: new Date(now.getTime() - SETTINGS.expirySweepInterval_ms), others: new Date(now.getTime() - SETTINGS.deadlineWatchInterval_ms) };
      expect(Object.fromEntries(await countOverdue(fromPgClient(client), cutoffs, 1_000))).toEqual({ HOLD: 2 });
      expect(Object.fromEntries(await countOverdue(fromPgClient(client), cutoffs, 1))).toEqual({ HOLD: 1 });
      // The view has no interval to go by: it lists every one past its deadline, most overdue first.
      const listed = await client.query<{ stage: string; overdue_ms: string }>("SELECT stage, overdue_ms FROM overdue_sagas WHERE tenant_id = $1 AND status = 'HELD' ORDER BY deadline_at", [TENANT]);
      expect(listed.rows.map((row) => row.stage)).toEqual(['HOLD', 'HOLD', 'HOLD']);
      expect(listed.rows.map((row) => Number(row.overdue_ms))).toEqual([2 * HOUR_MS, HOUR_MS, 50]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
