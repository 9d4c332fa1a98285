import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import { BookingHeld, PaymentAuthorized, RequestBooking, type Actor, type Envelope } from '@txn/contracts';
import { startPspProxy, type RunningPspProxy } from '@txn/psp-proxy';
import { startSuiteService, suiteResources, suiteSender, type SuiteSender } from '@txn/service-harness';
import type { RunningService } from '@txn/service-kit';
import { Cleanups, installExtensions, testEnvironment, waitFor, type SuiteDatabase } from '@txn/testing';
import { bookingService, DEFAULT_BOOKING_SETTINGS } from '@txn/booking';
import { paymentService, readPaymentSettings } from '@txn/payment';
import { announceServices, platformCli, prometheusAlerts, receivedAlerts, serviceProgram, type AlertMatch } from './support/runbook-drills';

// Three runbooks exercised on the real stack, at once (one platform start, waits in parallel):
// the condition is made to happen, the alert fires in the platform's Prometheus (/api/v1/alerts)
// and reaches the alert receiver with its runbook link, the runbook's commands are followed, and
// the alert resolves and the receiver hears that too.
//
// - dead-letters#not-empty: a record no producer of ours wrote reaches payment, which parks it;
//   `./platform dlq list | show | ack` — it must never be applied — resolves it.
// - sagas-overdue#overdue: a confirmed booking whose capture never comes passes its deadline and
//   booking cannot apply its own timeout (the cancellation fails, as a bad migration or a lock would
//   make it), so the timeout is parked; fixed, `./platform dlq replay --all` ends the saga.
// - payment-outcome-unknown#left-to-person: the PSP takes an authorization but its answer is lost,
//   and stays unreachable through the whole query schedule (divided for the test); once it is back,
//   `./platform recon run` (payment's recon-main.ts on the suite database) asks it and settles it.
//
// booking and payment run in-process on suite databases and topics, announced to Prometheus as
// booking and payment with env=<the drill's>. Booking is in a test suite's group (its parked
// timeout pages nobody: the saga drill is about the saga); payment's group is not named test.* so
// that its dead letter pages as production's would. The production rules are used unchanged.

const DRILL_ENV = `drill-${randomBytes(4).toString('hex')}`;
const PSP_API_KEY = `sk_test_drill_${randomBytes(8).toString('hex')}`;
/** SagasOverdue's `for` is 2 minutes; scrapes, evaluations and the exporter's rounds add seconds. */
const FIRE_TIMEOUT_MS = 240_000;
const RESOLVE_TIMEOUT_MS = 120_000;
const STEP_TIMEOUT_MS = 60_000;
const START_TIMEOUT_MS = 240_000;
const CAPTURE_DEADLINE_MS = 3_000;
/** payment-domain's schedule (1 min … 24 h, 33.6 h in all) passes in about 25 s. */
const QUERY_TIME_DIVISOR = 5_000;
const PRICE_MINOR = 12_345n;
const CUSTOMER: Actor = { type: 'USER', id: 'customer-drill' };
const BOOKING_TOPICS = ['booking.commands.v1', 'booking.events.v1', 'payment.events.v1'] as const;
const PAYMENT_TOPICS = ['booking.events.v1', 'payment.commands.v1', 'payment.events.v1', 'psp.events.v1', 'ledger.events.v1'] as const;

interface Drilled {
  readonly service: RunningService;
  readonly database: SuiteDatabase;
  readonly pool: Pool;
  readonly sender: SuiteSender;
  readonly topicOf: Readonly<Record<string, string>>;
  readonly group: string;
}

const cleanups = new Cleanups();
let booking: Drilled;
let payment: Drilled;
let proxy: RunningPspProxy;
const tenantId = `merchant-${DRILL_ENV}`;

function envelope(eventType: string, aggregateId: string, actor: Actor, correlationId = aggregateId): Envelope {
  return { eventId: randomUUID(), eventType, occurredAt: new Date(), producer: 'runbook-drill', aggregateId, aggregateVersion: 0n, correlationId, causationId: null, actor, tenantId };
}

async function startBooking(): Promise<Drilled> {
  const { scope, topicOf, secret } = await suiteResources('drill-booking', BOOKING_TOPICS, 1, cleanups);
  const database = await scope.database('booking');
  await installExtensions(database, ['btree_gist']);
  const settings = { ...DEFAULT_BOOKING_SETTINGS, captureDeadline_ms: CAPTURE_DEADLINE_MS, deadlineWatchInterval_ms: 200, expirySweepInterval_ms: 200 };
  const group = scope.groupId('booking');
  const { service } = await startSuiteService({ service: 'booking', database, secret, readSettings: () => ({}), definition: () => bookingService(settings), topicOverrides: topicOf, consumerGroup: group, cleanups, logLevel: 'warn' });
  return { service, database, group, topicOf, pool: drillPool(database), sender: await suiteSender('drill-booking', topicOf, cleanups) };
}

async function startPayment(): Promise<Drilled> {
  const { scope, topicOf, secret } = await suiteResources('drill-payment', PAYMENT_TOPICS, 1, cleanups);
  const database = await scope.database('payment');
  const environment = {
    PSP_API_URL: proxy.url,
    PSP_API_KEY_FILE: secret('psp-api-key', PSP_API_KEY),
    PSP_TIMEOUT_MS: '3000',
    PAYMENT_CALL_POLL_INTERVAL_MS: '200',
    PAYMENT_OUTCOME_POLL_INTERVAL_MS: '100',
    PAYMENT_OUTCOME_QUERY_TIME_DIVISOR: String(QUERY_TIME_DIVISOR),
    // Only the runbook's `recon run`; nothing waits to be judged, so the run settles at once.
    PAYMENT_RECON_INTERVAL_MS: '0',
    PAYMENT_RECON_POLL_INTERVAL_MS: '300',
    PAYMENT_RECON_SETTLE_MS: '0',
    PAYMENT_RECON_BOOKS_SETTLE_MS: '0',
  };
  const group = `drill-${scope.id}-payment`;
  const { service } = await startSuiteService({ service: 'payment', database, secret, environment, readSettings: readPaymentSettings, definition: (config) => paymentService(config, { paymentMethodOf: () => 'pm_card_visa' }), topicOverrides: topicOf, consumerGroup: group, cleanups, logLevel: 'warn' });
  cleanups.push(() => forgetKafkaState(group, `test.${scope.id}.`));
  return { service, database, group, topicOf, pool: drillPool(database), sender: await suiteSender('drill-payment', topicOf, cleanups) };
}

function drillPool(database: SuiteDatabase): Pool {
  const pool = new Pool({ ...database, max: 2, connectionTimeoutMillis: 5_000 });
  cleanups.push(() => pool.end());
  return pool;
}

/** Payment's group is not a suite's (`test.*`, which the scope removes): its group, dead-letter topics and their replayer marks go here. */
async function forgetKafkaState(group: string, topicPrefix: string): Promise<void> {
  const admin = new Kafka({ clientId: 'runbook-drill-cleanup', brokers: [...testEnvironment().kafka.brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const deadLetters = (await admin.listTopics()).filter((topic) => topic.startsWith(topicPrefix) && topic.endsWith('.dlq'));
    await admin.deleteGroups([group, ...deadLetters.map((topic) => `${topic}.replayer`)]).catch(() => undefined);
    if (deadLetters.length > 0) await admin.deleteTopics({ topics: deadLetters, timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}

/** The alert firing in Prometheus, then at the receiver with its runbook. */
async function expectPaged(wanted: AlertMatch, runbook: string): Promise<void> {
  await waitFor(`${wanted['alertname']} firing in Prometheus`, async () => ((await prometheusAlerts(wanted)).some((alert) => alert.state === 'firing') ? true : undefined), FIRE_TIMEOUT_MS, 2_000);
  const [page] = await waitFor(`${wanted['alertname']} at the receiver`, async () => {
    const firing = (await receivedAlerts(wanted)).filter((alert) => alert.status === 'firing');
    return firing.length > 0 ? firing : undefined;
  }, STEP_TIMEOUT_MS, 1_000);
  expect(page?.annotations['runbook']).toBe(runbook);
}

/** The alert gone from Prometheus and its resolution at the receiver. */
async function expectResolved(wanted: AlertMatch): Promise<void> {
  await waitFor(`${wanted['alertname']} resolved in Prometheus`, async () => ((await prometheusAlerts(wanted)).length === 0 ? true : undefined), RESOLVE_TIMEOUT_MS, 2_000);
  await waitFor(`${wanted['alertname']}'s resolution at the receiver`, async () => ((await receivedAlerts(wanted)).some((alert) => alert.status === 'resolved') ? true : undefined), RESOLVE_TIMEOUT_MS, 1_000);
}

async function row<T>(pool: Pool, sql: string, values: readonly unknown[]): Promise<T | undefined> {
  return (await pool.query(sql, [...values])).rows[0] as T | undefined;
}

/** A record no producer of ours wrote (no wire-format header): payment parks it at once as undecodable. */
async function parkPoison(): Promise<string> {
  const producer = new Kafka({ clientId: 'runbook-drill-poison', brokers: [...testEnvironment().kafka.brokers], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const topic = payment.topicOf['booking.events.v1'] as string;
  await producer.send({ topic, messages: [{ key: randomUUID(), value: Buffer.from('{"not":"avro"}') }] });
  await producer.disconnect();
  return `${topic}.${payment.group}.dlq`;
}

async function dlqDrill(): Promise<void> {
  const deadLetters = await parkPoison();
  const wanted = { alertname: 'DeadLetterQueueNotEmpty', group: payment.group };
  await expectPaged(wanted, 'docs/runbooks/dead-letters.md#not-empty');
  // The runbook: which queue, what is parked and why; never appliable, so acknowledged.
  expect((await platformCli(['dlq', 'list'])).output).toContain(`${deadLetters}  pending=1`);
  const shown = await platformCli(['dlq', 'show', deadLetters]);
  expect(shown.output).toMatch(/reason\s+undecodable/);
  expect(shown.output).toContain('(not wire format)');
  const acked = await platformCli(['dlq', 'ack', deadLetters, '--all']);
  expect(acked).toMatchObject({ code: 0, output: expect.stringContaining('remaining=0') });
  await expectResolved(wanted);
  expect((await platformCli(['dlq', 'list'])).output).toContain(`${deadLetters}  pending=0`);
}

/** Booking's cancellation fails for as long as the drill's fault is in place (a person would find a bad migration or a lock). */
async function breakCancellation(): Promise<void> {
  await booking.pool.query(`CREATE FUNCTION drill_refuse_cancel() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'drill: bookings cannot be cancelled right now'; END $$`);
  await booking.pool.query(`CREATE TRIGGER drill_refuse_cancel BEFORE UPDATE ON bookings FOR EACH ROW WHEN (NEW.status = 'CANCELLED') EXECUTE FUNCTION drill_refuse_cancel()`);
}

async function confirmedBooking(): Promise<string> {
  const resourceId = `room-${randomUUID().slice(0, 8)}`;
  await booking.pool.query('INSERT INTO resources (tenant_id, resource_id, name) VALUES ($1, $2, $3)', [tenantId, resourceId, 'Drill room']);
  const bookingId = randomUUID();
  const startsAt = new Date(Date.now() + 48 * 3_600_000);
  const request: RequestBooking = {
    envelope: envelope('RequestBooking', bookingId, CUSTOMER),
    bookingId,
    requestIdempotencyKey: randomUUID(),
    customerId: CUSTOMER.id,
    customerEmail: null,
    slot: { resourceId, startsAt, endsAt: new Date(startsAt.getTime() + 3_600_000) },
    price: { amountMinor: PRICE_MINOR, currency: 'EUR' },
    holdExpiresAt: new Date(Date.now() + 15 * 60_000),
  };
  await booking.sender.send(RequestBooking, request, bookingId);
  await waitFor('the booking held', async () => (await row<{ status: string }>(booking.pool, 'SELECT status FROM bookings WHERE booking_id = $1', [bookingId]))?.status === 'HELD' || undefined, STEP_TIMEOUT_MS);
  // Payment's authorization, as payment would announce it; its capture never comes.
  const paymentId = randomUUID();
  const authorized: PaymentAuthorized = {
    envelope: envelope('PaymentAuthorized', paymentId, { type: 'SERVICE', id: 'payment' }, bookingId),
    paymentId,
    bookingId,
    statusBefore: 'PENDING',
    statusAfter: 'AUTHORIZED',
    reason: 'PSP_RESPONSE',
    pspPaymentIntentId: 'pi_drill',
    pspIdempotencyKey: `pay_${paymentId}_authorize`,
    authorizedAmount: { amountMinor: PRICE_MINOR, currency: 'EUR' },
    authorizationExpiresAt: null,
    authorizedAt: null,
  };
  await booking.sender.send(PaymentAuthorized, authorized, paymentId);
  return bookingId;
}

async function sagaDrill(): Promise<void> {
  await breakCancellation();
  const bookingId = await confirmedBooking();
  const wanted = { alertname: 'SagasOverdue', env: DRILL_ENV, stage: 'CAPTURE' };
  await expectPaged(wanted, 'docs/runbooks/sagas-overdue.md#overdue');
  // The runbook: which sagas (what `./platform sagas overdue` lists), and the timeout requested
  // but not applied sends the reader to booking's dead letters.
  const overdue = await row<{ stage: string; timeout_requested_at: Date | null }>(booking.pool, 'SELECT stage, timeout_requested_at FROM overdue_sagas WHERE booking_id = $1', [bookingId]);
  expect(overdue).toEqual({ stage: 'CAPTURE', timeout_requested_at: expect.any(Date) });
  const deadLetters = `${booking.topicOf['booking.commands.v1']}.${booking.group}.dlq`;
  expect((await platformCli(['dlq', 'list'])).output).toContain(`${deadLetters}  pending=1`);
  const shown = await platformCli(['dlq', 'show', deadLetters]);
  expect(shown.output).toContain('BookingDeadlineReached');
  expect(shown.output).toContain('drill: bookings cannot be cancelled right now');
  // The cause fixed, the parked timeout replayed: booking applies it and the saga ends.
  await booking.pool.query('DROP TRIGGER drill_refuse_cancel ON bookings');
  expect((await platformCli(['dlq', 'replay', deadLetters, '--all'])).output).toContain('replayed 1 message(s)');
  await waitFor('the booking cancelled by its timeout', async () => (await row<{ status: string }>(booking.pool, 'SELECT status FROM bookings WHERE booking_id = $1', [bookingId]))?.status === 'CANCELLED' || undefined, STEP_TIMEOUT_MS);
  await expectResolved(wanted);
  expect(await row(booking.pool, 'SELECT count(*)::int AS n FROM overdue_sagas', [])).toEqual({ n: 0 });
}

/** The PSP takes the authorization and the answer is lost; then every question about it goes unanswered. */
function holdPspDown(): void {
  proxy.faults.inject({ kind: 'timeout_after_work', method: 'POST', path: '/v1/payment_intents', times: 1 });
  proxy.faults.inject({ kind: 'error_before_work', method: 'GET', path: '/v1/payment_intents', times: 1_000_000 });
  proxy.faults.inject({ kind: 'error_before_work', method: 'GET', path: '/v1/payment_intents/**', times: 1_000_000 });
}

async function outcomeDrill(): Promise<void> {
  holdPspDown();
  const bookingId = randomUUID();
  const startsAt = new Date(Date.now() + 72 * 3_600_000);
  const held: BookingHeld = {
    envelope: envelope('BookingHeld', bookingId, { type: 'SERVICE', id: 'booking' }),
    bookingId,
    statusBefore: null,
    statusAfter: 'HELD',
    reason: 'REQUESTED',
    customerId: CUSTOMER.id,
    customerEmail: null,
    slot: { resourceId: 'room-1', startsAt, endsAt: new Date(startsAt.getTime() + 3_600_000) },
    price: { amountMinor: PRICE_MINOR, currency: 'EUR' },
    holdExpiresAt: new Date(Date.now() + 15 * 60_000),
  };
  await payment.sender.send(BookingHeld, held, bookingId);
  const wanted = { alertname: 'PaymentOutcomeUnknownUnresolved', env: DRILL_ENV };
  await expectPaged(wanted, 'docs/runbooks/payment-outcome-unknown.md#left-to-person');
  const stuck = await row<{ status: string; needs_attention: boolean; query_due_at: Date | null }>(payment.pool, 'SELECT status, needs_attention, query_due_at FROM payments WHERE booking_id = $1', [bookingId]);
  expect(stuck).toEqual({ status: 'OUTCOME_UNKNOWN', needs_attention: true, query_due_at: null });
  // The runbook: the PSP is back; a reconciliation run asks it what it holds and syncs the payment.
  proxy.faults.clear();
  const { runtime, host, port, database } = payment.database;
  const url = `postgres://${encodeURIComponent(runtime.user)}:${encodeURIComponent(runtime.password)}@${host}:${port}/${database}`;
  const recon = await serviceProgram('payment', 'recon-main.ts', ['run', '--since', '15m', '--wait-s', '90'], { PAYMENT_DATABASE_URL: url });
  expect([0, 1]).toContain(recon.code);
  await waitFor('the payment settled as the PSP holds it', async () => (await row<{ status: string }>(payment.pool, 'SELECT status FROM payments WHERE booking_id = $1', [bookingId]))?.status === 'AUTHORIZED' || undefined, STEP_TIMEOUT_MS);
  await expectResolved(wanted);
}

describe('runbooks exercised on the real stack: a parked message, a stuck saga, an unknown PSP outcome (booking and payment in-process; real Kafka, PostgreSQL, PSP sandbox, lag exporter, Prometheus, Alertmanager, receiver)', () => {
  beforeAll(async () => {
    proxy = await startPspProxy({ upstreamUrl: testEnvironment().pspSandbox.url });
    cleanups.push(() => proxy.close());
    booking = await startBooking();
    payment = await startPayment();
    const withdraw = announceServices(DRILL_ENV, { booking: booking.service, payment: payment.service });
    cleanups.push(async () => withdraw());
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await cleanups.runAll();
  }, START_TIMEOUT_MS);

  it('each alert fires with its runbook, reaches the receiver, and resolves once the runbook was followed: DeadLetterQueueNotEmpty (dlq ack), SagasOverdue (fix, dlq replay), PaymentOutcomeUnknownUnresolved (recon run)', async () => {
    const results = await Promise.allSettled([dlqDrill(), sagaDrill(), outcomeDrill()]);
    const failures = results.flatMap((result, index) => (result.status === 'rejected' ? [`${['dead letters', 'overdue saga', 'unknown outcome'][index]}: ${(result.reason as Error).message}`] : []));
    expect(failures).toEqual([]);
  }, FIRE_TIMEOUT_MS + 2 * RESOLVE_TIMEOUT_MS + 3 * STEP_TIMEOUT_MS);
});
