import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import { BookingCompleted, EVENT_TYPES, HoldPlaced, PaymentAuthorized, type Envelope, type EventContract } from '@txn/contracts';
import { AvroCodec, createKafkaPublisher, MESSAGE_HEADERS, type RecordPublisher } from '@txn/messaging';
import { registerSchemas } from '@txn/schema-deploy';
import { bootstrapService, createServiceLogger, loadServiceConfig, type RunningService } from '@txn/service-kit';
import { baseServiceSettings, jsonLogSink, type LogLine, collectEvents, createSuiteScope, deleteSubjects, type EventCollector, type SuiteDatabase, type SuiteScope, testEnvironment, waitFor } from '@txn/testing';
import { explanationEntryId } from '@txn/ledger-domain';
import { ledgerService, readLedgerSettings, verifyLedger } from '../../src';
import { ignoreTermination, PaymentStory } from './support';

// The ledger service in-process (bootstrapService, as main.ts does) on the real PostgreSQL, Kafka
// and registry: a suite database, suite topics (topicOverrides), a suite consumer group.

/** Joining a group, a handler transaction and the relay's poll take well under a second here. */
const FLOW_TIMEOUT_MS = 30_000;
/** Six runs of the real command, each a tsx start (5–10 s on a busy 2-core machine), and the flow between them. */
const EXPLAIN_TEST_TIMEOUT_MS = 150_000;
const TEST_RETRY = { maxAttempts: 2, initialDelay_ms: 20, maxDelay_ms: 100 };
const SERVICE_ACTOR = { type: 'SERVICE', id: 'ledger' };
const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
const run = promisify(execFile);
/** The payment service's default rate: the fee each story's captures state. */
const DEFAULT_FEE_BPS = 1_000;

interface SeenEvent {
  readonly eventType: string;
  readonly key: string | undefined;
  readonly value: { readonly envelope: Envelope; readonly paymentId: string | null; readonly [field: string]: unknown };
}

describe('ledger service (in-process, real PostgreSQL, Kafka, registry)', () => {
  const environment = testEnvironment();
  const codec = new AvroCodec({ registryUrl: environment.schemaRegistry.url, clientId: 'ledger-service-test' });
  const logs: LogLine[] = [];
  const seen: SeenEvent[] = [];
  let scope: SuiteScope;
  let database: SuiteDatabase;
  let pool: Pool;
  let service: RunningService | undefined;
  let publisher: RecordPublisher;
  let reader: EventCollector | undefined;
  let secretsDir: string;
  let topics: { paymentEvents: string; bookingEvents: string; ledgerEvents: string };
  let subjects: string[] = [];

  /** A story on the wall clock (the sweeper runs on it), its fee decided at the payment service's default rate. */
  const story = (): PaymentStory => new PaymentStory('EUR', { startAt_ms: Date.now(), feeBps: DEFAULT_FEE_BPS });

  async function send<T extends { readonly envelope: Envelope }>(contract: EventContract<T>, event: T, key: string): Promise<void> {
    const topic = contract.topic === PaymentAuthorized.topic ? topics.paymentEvents : topics.bookingEvents;
    const value = await codec.encode(`${topic}-${contract.fullName}`, contract.schema, event);
    await publisher.publish([
      { topic, key, value, headers: { [MESSAGE_HEADERS.eventId]: event.envelope.eventId, [MESSAGE_HEADERS.eventType]: contract.eventType, [MESSAGE_HEADERS.correlationId]: event.envelope.correlationId } },
    ]);
  }

  function outcomesOf(eventId: string): unknown[] {
    return logs.filter((line) => line.msg === 'message handled' && line.eventId === eventId).map((line) => line.outcome);
  }

  function waitForOutcome(eventId: string, outcome: string): Promise<true> {
    return waitFor(`outcome ${outcome} for event ${eventId}`, () => (outcomesOf(eventId).includes(outcome) ? true : undefined), FLOW_TIMEOUT_MS);
  }

  function eventsOf(paymentId: string, eventType?: string): SeenEvent[] {
    return seen.filter((event) => event.value.paymentId === paymentId && (eventType === undefined || event.eventType === eventType));
  }

  function waitForEvents(paymentId: string, eventType: string, count = 1): Promise<SeenEvent[]> {
    return waitFor(`${count} × ${eventType} for payment ${paymentId}`, () => {
      const found = eventsOf(paymentId, eventType);
      return found.length >= count ? found : undefined;
    }, FLOW_TIMEOUT_MS);
  }

  async function outboxOf(paymentId: string): Promise<string[]> {
    // Keys: hold and escrow = payment id; entries = their entry id, found through the journal.
    const { rows } = await pool.query<{ event_type: string }>(
      `SELECT event_type FROM outbox
        WHERE message_key = $1 OR message_key IN (SELECT entry_id::text FROM journal_entries WHERE payment_id = $1::uuid)
        ORDER BY id`,
      [paymentId],
    );
    return rows.map((row) => row.event_type);
  }

  async function expectVerifyClean(): Promise<void> {
    const report = await verifyLedger(pool);
    expect(report.findings).toEqual([]);
    for (const currency of report.currencies) expect(currency).toMatchObject({ postedNetMinor: 0n, pendingNetMinor: 0n });
  }

  beforeAll(async () => {
    scope = await createSuiteScope('ledger-service');
    topics = { paymentEvents: scope.topic('payment-events'), bookingEvents: scope.topic('booking-events'), ledgerEvents: scope.topic('ledger-events') };
    await scope.createTopics(Object.values(topics).map((topic) => ({ topic, numPartitions: 3 })));
    const topicOf: Record<string, string> = { [PaymentAuthorized.topic]: topics.paymentEvents, [BookingCompleted.topic]: topics.bookingEvents, [HoldPlaced.topic]: topics.ledgerEvents };
    const catalogue: Record<string, { subject: string; schema: (typeof HoldPlaced)['schema'] }> = {};
    for (const contract of Object.values(EVENT_TYPES)) {
      const topic = topicOf[contract.topic];
      if (topic !== undefined) catalogue[contract.eventType] = { subject: `${topic}-${contract.fullName}`, schema: contract.schema };
    }
    subjects = (await registerSchemas(environment.schemaRegistry.url, catalogue)).map((entry) => entry.subject);

    database = await scope.database('ledger');
    secretsDir = mkdtempSync(join(tmpdir(), 'ledger-secrets-'));
    const secret = (name: string, value: string): string => {
      writeFileSync(join(secretsDir, name), value, { mode: 0o600 });
      return join(secretsDir, name);
    };
    const config = loadServiceConfig(
      {
        ...baseServiceSettings('ledger', database, secret),
        LEDGER_HOLD_EXPIRY_SWEEP_INTERVAL_MS: '100',
        LEDGER_HOLD_EXPIRY_GRACE_MS: '0',
      },
      readLedgerSettings,
    );
    service = await bootstrapService(config, ledgerService(config), {
      topicOverrides: topicOf,
      consumerGroup: scope.groupId('ledger'),
      retry: TEST_RETRY,
      logger: createServiceLogger({ serviceName: 'ledger', level: 'info', destination: jsonLogSink(logs) }),
      telemetry: false,
    });
    pool = new Pool({ ...database, max: 2, connectionTimeoutMillis: 5_000, statement_timeout: 15_000 });
    pool.on('error', ignoreTermination);
    publisher = await createKafkaPublisher({ clientId: 'ledger-service-test', brokers: environment.kafka.brokers });

    reader = await collectEvents({
      brokers: environment.kafka.brokers,
      clientId: 'ledger-service-test',
      groupId: scope.groupId('reader'),
      topics: [topics.ledgerEvents],
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

  /** One gauge from the service's /metrics, as Prometheus would scrape it; `label` picks one series of a labelled gauge. */
  async function scrapeGauge(name: string, label?: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${service?.httpPort}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    const line = text.split('\n').find((candidate) => (candidate.startsWith(`${name} `) || candidate.startsWith(`${name}{`)) && (label === undefined || candidate.includes(label)));
    if (line === undefined) throw new Error(`gauge ${name} not in /metrics`);
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }

  it('authorize → capture (fee split) → completion: HoldPlaced, HoldPosted + EntryPosted, EscrowReleased on the ledger topic; verify clean', async () => {
    const payment = story();
    const authorized = payment.authorized(12_000n);
    await send(PaymentAuthorized, authorized, payment.paymentId);

    const [placed] = await waitForEvents(payment.paymentId, 'HoldPlaced');
    expect(placed?.key).toBe(payment.paymentId);
    expect(placed?.value).toMatchObject({ holdId: payment.paymentId, statusAfter: 'PENDING', amount: { amountMinor: 12_000n, currency: 'EUR' }, bookingId: payment.bookingId });
    expect(placed?.value.envelope).toMatchObject({
      eventType: 'HoldPlaced',
      producer: 'ledger',
      aggregateId: payment.paymentId,
      aggregateVersion: 1n,
      correlationId: payment.bookingId,
      causationId: authorized.envelope.eventId,
      actor: SERVICE_ACTOR,
      tenantId: payment.tenantId,
    });
    expect(placed?.value.envelope.eventId).not.toBe(authorized.envelope.eventId);

    // 10 % of 120.00 = 12.00 to the platform, the rest to the merchant's escrow.
    const captured = payment.captured(12_000n);
    expect(captured.platformFee.amountMinor).toBe(1_200n);
    await send(EVENT_TYPES.PaymentCaptured, captured, payment.paymentId);
    const [posted] = await waitForEvents(payment.paymentId, 'HoldPosted');
    expect(posted?.value).toMatchObject({ statusBefore: 'PENDING', statusAfter: 'POSTED', entryId: captured.envelope.eventId, postedAmount: { amountMinor: 12_000n } });
    expect(posted?.value.envelope).toMatchObject({ aggregateVersion: 2n, causationId: captured.envelope.eventId, correlationId: payment.bookingId });
    const [captureEntry] = await waitForEvents(payment.paymentId, 'EntryPosted');
    expect(captureEntry?.key).toBe(captured.envelope.eventId);
    expect(captureEntry?.value).toMatchObject({
      entryType: 'CAPTURE_TO_ESCROW',
      postings: [
        { accountId: payment.account('PSP_CLEARING'), side: 'DEBIT', amount: { amountMinor: 12_000n, currency: 'EUR' } },
        { accountId: payment.account('ESCROW'), side: 'CREDIT', amount: { amountMinor: 10_800n, currency: 'EUR' } },
        { accountId: payment.account('PLATFORM_FEE_ESCROW'), side: 'CREDIT', amount: { amountMinor: 1_200n, currency: 'EUR' } },
      ],
    });

    const completed = payment.completed();
    await send(BookingCompleted, completed, payment.bookingId);
    const [released] = await waitForEvents(payment.paymentId, 'EscrowReleased');
    expect(released?.value).toMatchObject({ escrowId: payment.paymentId, statusAfter: 'RELEASED', releasedAmount: { amountMinor: 12_000n }, merchantAmount: { amountMinor: 10_800n }, platformFee: { amountMinor: 1_200n } });
    expect(released?.value.envelope).toMatchObject({ causationId: completed.envelope.eventId, correlationId: payment.bookingId, actor: SERVICE_ACTOR });
    await waitForEvents(payment.paymentId, 'EntryPosted', 2);

    for (const event of [authorized, captured, completed]) {
      // The log line follows the commit; the events on the topic may be read before it is written.
      await waitForOutcome(event.envelope.eventId, 'applied');
      expect(outcomesOf(event.envelope.eventId)).toEqual(['applied']);
    }
    await expectVerifyClean();

    const ready = await fetch(`http://127.0.0.1:${service?.httpPort}/health/ready`, { signal: AbortSignal.timeout(5_000) });
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${service?.httpPort}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    expect(metrics).toContain('ledger_decisions_total{message_type="PaymentCaptured",outcome="applied"');
  });

  it('a redelivery is a duplicate, the same fact under a new event id is stale; nothing is posted twice', async () => {
    const payment = story();
    const authorized = payment.authorized(5_000n);
    await send(PaymentAuthorized, authorized, payment.paymentId);
    await waitForEvents(payment.paymentId, 'HoldPlaced');
    const captured = payment.captured(5_000n);
    await send(EVENT_TYPES.PaymentCaptured, captured, payment.paymentId);
    await waitForEvents(payment.paymentId, 'HoldPosted');

    // The same bytes again: the inbox answers before any handler runs.
    await send(PaymentAuthorized, authorized, payment.paymentId);
    await send(EVENT_TYPES.PaymentCaptured, captured, payment.paymentId);
    await waitForOutcome(authorized.envelope.eventId, 'duplicate');
    await waitForOutcome(captured.envelope.eventId, 'duplicate');
    // The authorization re-sent by its producer under a new id: the hold exists as it would place it.
    const resent: PaymentAuthorized = { ...authorized, envelope: { ...authorized.envelope, eventId: randomUUID() } };
    await send(PaymentAuthorized, resent, payment.paymentId);
    await waitForOutcome(resent.envelope.eventId, 'stale');

    expect(outcomesOf(authorized.envelope.eventId)).toEqual(['applied', 'duplicate']);
    expect(outcomesOf(captured.envelope.eventId)).toEqual(['applied', 'duplicate']);
    expect(await outboxOf(payment.paymentId)).toEqual(['HoldPlaced', 'HoldPosted', 'EntryPosted']);
    const entries = await pool.query('SELECT entry_id FROM journal_entries WHERE payment_id = $1', [payment.paymentId]);
    expect(entries.rows).toEqual([{ entry_id: captured.envelope.eventId }]);
    expect(logs.some((line) => line.msg.startsWith('ledger ignored') && line.eventId === resent.envelope.eventId && line.outcome === 'stale' && line.reason === 'ALREADY_APPLIED')).toBe(true);
    await expectVerifyClean();
  });

  it('never refuses a fact: a fee at a rate the ledger never had is booked as said; a capture with no hold goes to SUSPENSE with a break seen on the topic and in ledger_breaks_open', async () => {
    const payment = story();
    await send(PaymentAuthorized, payment.authorized(10_000n), payment.paymentId);
    await waitForEvents(payment.paymentId, 'HoldPlaced');
    // The payment service decided 2.5 % (its schedule changed while the event was queued, or it is configured apart).
    const captured = payment.captured(10_000n, 250n);
    await send(EVENT_TYPES.PaymentCaptured, captured, payment.paymentId);
    await waitForEvents(payment.paymentId, 'HoldPosted');
    await waitForOutcome(captured.envelope.eventId, 'applied');
    expect((await pool.query('SELECT platform_fee_minor::int AS fee, fee_bps FROM escrows WHERE escrow_id = $1', [payment.paymentId])).rows).toEqual([{ fee: 250, fee_bps: DEFAULT_FEE_BPS }]);

    const stranger = story();
    const unplaced = stranger.captured(7_000n);
    await send(EVENT_TYPES.PaymentCaptured, unplaced, stranger.paymentId);
    const [raised] = await waitForEvents(stranger.paymentId, 'LedgerBreakRaised');
    expect(raised?.key).toBe(unplaced.envelope.eventId);
    expect(raised?.value).toMatchObject({ breakId: unplaced.envelope.eventId, kind: 'CAPTURE_UNPLACED', code: 'HOLD_NOT_FOUND', amount: { amountMinor: 7_000n, currency: 'EUR' }, suspenseEntryId: unplaced.envelope.eventId });
    expect(raised?.value.envelope).toMatchObject({ causationId: unplaced.envelope.eventId, producer: 'ledger' });
    await waitForOutcome(unplaced.envelope.eventId, 'applied');
    expect(await scrapeGauge('ledger_breaks_open', 'kind="CAPTURE_UNPLACED"')).toBe(1);
    const suspense = await pool.query("SELECT (credits_posted_minor - debits_posted_minor)::int AS held FROM account_balances WHERE account_id = $1", [stranger.account('SUSPENSE')]);
    expect(suspense.rows).toEqual([{ held: 7_000 }]);
    await expectVerifyClean();
  });

  /** `./platform ledger explain …` as a person runs it, as the service's runtime role: its exit code and the answer. */
  async function explainCommand(args: readonly string[]): Promise<{ code: number; answer: Record<string, unknown> | undefined; stderr: string }> {
    const url = `postgres://${database.runtime.user}:${encodeURIComponent(database.runtime.password)}@${database.host}:${database.port}/${database.database}`;
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'services/ledger/src/explain-main.ts', ...args], { cwd: REPO_ROOT, env: { ...process.env, LEDGER_DATABASE_URL: url }, timeout: 45_000 });
      return { code: 0, answer: JSON.parse(stdout) as Record<string, unknown>, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      if (typeof failed.code !== 'number') throw error;
      return { code: failed.code, answer: failed.stdout === undefined || failed.stdout === '' ? undefined : (JSON.parse(failed.stdout) as Record<string, unknown>), stderr: failed.stderr ?? '' };
    }
  }

  it('a person explains a break (./platform ledger explain): one adjusting entry out of SUSPENSE by that person, the break EXPLAINED, asked again nothing more; a wrong target or break is refused', async () => {
    const stranger = story();
    const unplaced = stranger.captured(4_200n);
    await send(EVENT_TYPES.PaymentCaptured, unplaced, stranger.paymentId);
    await waitForEvents(stranger.paymentId, 'LedgerBreakRaised');
    const breakId = unplaced.envelope.eventId;
    const suspenseHeld = async (): Promise<unknown> => (await pool.query('SELECT (credits_posted_minor - debits_posted_minor)::int AS held FROM account_balances WHERE account_id = $1', [stranger.account('SUSPENSE')])).rows;
    expect(await suspenseHeld()).toEqual([{ held: 4_200 }]);

    const wrongTarget = await explainCommand([breakId, '--to', 'ESCROW', '--by', 'finance:ada', '--reason', 'the authorization was lost']);
    expect(wrongTarget).toMatchObject({ code: 1, answer: { outcome: 'REFUSED' } });
    expect(await explainCommand([breakId, '--by', 'finance:ada', '--reason', 'no target named'])).toMatchObject({ code: 1, answer: { outcome: 'REFUSED' } });
    expect(await explainCommand([randomUUID(), '--to', 'MERCHANT_PAYABLE', '--by', 'finance:ada', '--reason', 'no such break'])).toMatchObject({ code: 1, answer: { outcome: 'REFUSED' } });
    expect(await explainCommand([breakId, '--to', 'MERCHANT_PAYABLE', '--reason', 'nobody says who'])).toMatchObject({ code: 2, answer: undefined });

    const explained = await explainCommand([breakId, '--to', 'MERCHANT_PAYABLE', '--by', 'finance:ada', '--reason', 'the authorization was lost; the PSP confirms the capture']);
    expect(explained).toMatchObject({ code: 0, answer: { outcome: 'EXPLAINED', entry_id: explanationEntryId(breakId) } });
    // The SUSPENSE entry is an EntryPosted of this payment too: wait for the adjustment itself.
    const posted = await waitFor('the ADJUSTMENT on the ledger topic', () => eventsOf(stranger.paymentId, 'EntryPosted').find((event) => event.value['entryType'] === 'ADJUSTMENT'), FLOW_TIMEOUT_MS);
    expect(posted.value.envelope.actor).toEqual({ type: 'USER', id: 'finance:ada' });
    expect(posted.value['reason']).toContain('the PSP confirms the capture');
    expect(await suspenseHeld()).toEqual([{ held: 0 }]);
    const merchant = await pool.query('SELECT (credits_posted_minor - debits_posted_minor)::int AS owed FROM account_balances WHERE account_id = $1', [stranger.account('MERCHANT_PAYABLE')]);
    expect(merchant.rows).toEqual([{ owed: 4_200 }]);
    expect((await pool.query('SELECT status, explained_by, explanation_entry_id FROM breaks WHERE break_id = $1', [breakId])).rows).toEqual([{ status: 'EXPLAINED', explained_by: 'finance:ada', explanation_entry_id: explanationEntryId(breakId) }]);

    // Asked again (a retry, a second person): answered from the break, nothing posted twice.
    expect(await explainCommand([breakId, '--to', 'PSP_CLEARING', '--by', 'finance:bob', '--reason', 'again'])).toMatchObject({ code: 0, answer: { outcome: 'ALREADY_EXPLAINED', entry_id: explanationEntryId(breakId) } });
    expect((await pool.query("SELECT count(*)::int AS n FROM journal_entries WHERE payment_id = $1 AND entry_type = 'ADJUSTMENT'", [stranger.paymentId])).rows).toEqual([{ n: 1 }]);
    expect(await suspenseHeld()).toEqual([{ held: 0 }]);
    await expectVerifyClean();
  }, EXPLAIN_TEST_TIMEOUT_MS);

  it('voids on PaymentVoided and refunds out of escrow on PaymentRefunded', async () => {
    const voidedPayment = story();
    await send(PaymentAuthorized, voidedPayment.authorized(3_000n), voidedPayment.paymentId);
    await waitForEvents(voidedPayment.paymentId, 'HoldPlaced');
    const voided = voidedPayment.voided(3_000n);
    await send(EVENT_TYPES.PaymentVoided, voided, voidedPayment.paymentId);
    const [holdVoided] = await waitForEvents(voidedPayment.paymentId, 'HoldVoided');
    expect(holdVoided?.value).toMatchObject({ statusAfter: 'VOIDED', reason: 'BOOKING_CANCELLED', voidedAmount: { amountMinor: 3_000n } });
    expect(holdVoided?.value.envelope).toMatchObject({ causationId: voided.envelope.eventId, aggregateVersion: 2n });

    const refundedPayment = story();
    await send(PaymentAuthorized, refundedPayment.authorized(8_000n), refundedPayment.paymentId);
    await waitForEvents(refundedPayment.paymentId, 'HoldPlaced');
    await send(EVENT_TYPES.PaymentCaptured, refundedPayment.captured(8_000n), refundedPayment.paymentId);
    await waitForEvents(refundedPayment.paymentId, 'HoldPosted');
    const refunded = refundedPayment.refunded(2_000n, 1);
    await send(EVENT_TYPES.PaymentRefunded, refunded, refundedPayment.paymentId);
    const refundEntry = await waitFor(
      'the refund entry',
      () => eventsOf(refundedPayment.paymentId, 'EntryPosted').find((event) => event.value.entryType === 'REFUND'),
      FLOW_TIMEOUT_MS,
    );
    expect(refundEntry.key).toBe(refunded.envelope.eventId);
    expect(refundEntry.value.envelope).toMatchObject({ causationId: refunded.envelope.eventId });
    await expectVerifyClean();
  });

  it('applies a completion seen before its capture with the capture: EscrowReleased caused by the capture', async () => {
    const payment = story();
    await send(PaymentAuthorized, payment.authorized(4_000n), payment.paymentId);
    await waitForEvents(payment.paymentId, 'HoldPlaced');
    const completed = payment.completed();
    await send(BookingCompleted, completed, payment.bookingId);
    await waitForOutcome(completed.envelope.eventId, 'applied');
    expect(eventsOf(payment.paymentId, 'EscrowReleased')).toEqual([]);
    // Waiting, and visible as waiting (this suite's database holds no other release request now).
    expect(await scrapeGauge('ledger_release_requests_waiting')).toBe(1);
    expect(await scrapeGauge('ledger_release_request_oldest_age_seconds')).toBeGreaterThanOrEqual(0);

    const captured = payment.captured(4_000n);
    await send(EVENT_TYPES.PaymentCaptured, captured, payment.paymentId);
    const [released] = await waitForEvents(payment.paymentId, 'EscrowReleased');
    expect(released?.value).toMatchObject({ entryId: completed.envelope.eventId, statusAfter: 'RELEASED', merchantAmount: { amountMinor: 3_600n }, platformFee: { amountMinor: 400n } });
    expect(released?.value.envelope).toMatchObject({ causationId: captured.envelope.eventId });
    expect(await scrapeGauge('ledger_release_requests_waiting')).toBe(0);
    await expectVerifyClean();
  });

  it('expires a lapsed hold: HoldVoided (HOLD_EXPIRED) from the sweeper, no cause, the pending amounts released', async () => {
    const payment = story();
    const authorized = payment.authorized(2_500n, { expiresIn_ms: 1_500 });
    await send(PaymentAuthorized, authorized, payment.paymentId);
    await waitForEvents(payment.paymentId, 'HoldPlaced');

    const [expired] = await waitForEvents(payment.paymentId, 'HoldVoided');
    expect(expired?.value).toMatchObject({ holdId: payment.paymentId, statusBefore: 'PENDING', statusAfter: 'VOIDED', reason: 'HOLD_EXPIRED', voidedAmount: { amountMinor: 2_500n } });
    expect(expired?.value.envelope).toMatchObject({ causationId: null, correlationId: payment.bookingId, tenantId: payment.tenantId, actor: { type: 'SYSTEM', id: 'ledger-hold-expiry-sweeper' }, aggregateVersion: 2n });
    // The event's id is the hold's closing event: a person can go from one to the other.
    const hold = await pool.query('SELECT status, reason, closed_by_event_id FROM holds WHERE hold_id = $1', [payment.paymentId]);
    expect(hold.rows).toEqual([{ status: 'VOIDED', reason: 'HOLD_EXPIRED', closed_by_event_id: expired?.value.envelope.eventId }]);
    const pending = await pool.query<{ n: string }>('SELECT debits_pending_minor::text AS n FROM account_balances WHERE account_id = $1', [payment.account('PSP_CLEARING')]);
    expect(pending.rows).toEqual([{ n: '0' }]);
    await expectVerifyClean();
  });
});
