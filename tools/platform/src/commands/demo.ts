import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Pool } from 'pg';
import type { ApiClient } from '@txn/api-client';
import { EVENT_TYPES, type ContractTopic, type Envelope } from '@txn/contracts';
import {
  componentsFor,
  ensureServiceDatabase,
  kafkaBrokers,
  PLATFORM_SERVICES,
  pspProxyUrl,
  pspSandboxUrl,
  schemaRegistryUrl,
  serviceUrl,
  Supervisor,
  type PlatformConfig,
  type PostgresCredentials,
} from '@txn/infra-local';
import { AvroCodec } from '@txn/messaging';
import { formatMoney, isCurrencyCode } from '@txn/money';
import { cancelBookingThroughApi, completeBookingThroughApi, demoMerchantClient, registerResourceThroughApi, requestBookingThroughApi } from './demo-api';
import { runLedgerCommand } from './ledger';

// `./platform demo`: sagas through the running platform (the services as processes, the real
// topics), then each saga's timeline read back from the topics, the services' databases, the PSP
// and the ledger. The resource, bookings, completions and cancellations go through the public API
// (the gateway, with a developer key of the demo merchant: demo-api.ts).

export const DEMO_USAGE = `usage: ./platform demo [happy] [declined] [refund]
  Runs bookings through the running platform (\`./platform up\` first) and prints each saga's
  timeline: events in order with topic and status changes, PSP calls, ledger entries and balances.
    happy     request → held → authorized → confirmed → captured → completed → escrow released
    declined  the PSP declines the card (a one-shot card_declined fault at the PSP proxy) → cancelled
    refund    captured, then cancelled (for the customer) two days ahead → full refund, reversing entry
  Default: happy declined.`;

const SCENARIOS = ['happy', 'declined', 'refund'] as const;
type Scenario = (typeof SCENARIOS)[number];
const DEFAULT_SCENARIOS: readonly Scenario[] = ['happy', 'declined'];

const DEMO_TENANT = 'demo-merchant';
const DEMO_RESOURCE = 'demo-room';
const DEMO_CUSTOMER_ID = 'demo-customer';
/** A made-up address: the emails land in the local Mailpit (http://127.0.0.1:18526). */
const DEMO_CUSTOMER_EMAIL = 'demo.customer@example.com';
const PRICE_MINOR = 12_345n;
const CURRENCY = 'EUR';
const SLOT_MS = 3_600_000;
/** Slots start at least this far ahead: a customer's cancellation then gets the full refund (default policy: 100 % until 24 h before). */
const MIN_NOTICE_MS = 48 * 3_600_000;
/** One saga step on an idle machine takes well under a second; this is the "something is wrong" bound. */
const STEP_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 100;
const HTTP_TIMEOUT_MS = 5_000;
const VERIFY_TIMEOUT_MS = 60_000;
const POOL_MAX = 2;
const SAGA_TOPICS = ['booking.commands.v1', 'booking.events.v1', 'payment.events.v1', 'ledger.events.v1'] as const satisfies readonly ContractTopic[];
/** Bounds what the timeline queries read for one booking. */
const MAX_ROWS = 100;

function write(line = ''): void {
  process.stdout.write(`${line}\n`);
}

class DemoError extends Error {}

interface SeenEvent {
  readonly topic: string;
  readonly eventType: string;
  readonly value: { readonly envelope: Envelope; readonly [field: string]: unknown };
}

interface Connections {
  readonly config: PlatformConfig;
  readonly booking: Pool;
  readonly payment: Pool;
  readonly ledger: PostgresCredentials & { readonly pool: Pool };
  readonly codec: AvroCodec;
  /** The public API with the demo merchant's key: every command goes through the gateway. */
  readonly api: ApiClient;
  readonly seen: SeenEvent[];
  readonly pspApiKey: string;
}

async function pollUntil<T>(description: string, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolvePromise) => setTimeout(resolvePromise, POLL_INTERVAL_MS));
  }
  throw new DemoError(`no ${description} within ${STEP_TIMEOUT_MS / 1000} s: see ./platform logs booking|payment|ledger`);
}

function amount(value: unknown): string {
  const money = value as { amountMinor?: unknown; currency?: unknown } | null | undefined;
  if (typeof money?.amountMinor !== 'bigint' || typeof money.currency !== 'string' || !isCurrencyCode(money.currency)) return '—';
  return formatMoney({ amountMinor: money.amountMinor, currency: money.currency });
}

function eur(minor: bigint | string): string {
  return formatMoney({ amountMinor: BigInt(minor), currency: CURRENCY });
}

// ---------------------------------------------------------------------------------------------
// Connections: the services must be up; their databases are reached with their own roles.

export async function requireServicesReady(config: PlatformConfig): Promise<void> {
  for (const spec of PLATFORM_SERVICES) {
    const url = `${serviceUrl(config, spec)}/health/ready`;
    const status = await fetch(url, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) }).then((response) => response.status, () => 0);
    if (status !== 200) throw new DemoError(`${spec.name} is not ready (${url} → ${status === 0 ? 'no answer' : status}): run ./platform up first`);
  }
}

/** The PSP key the running payment service uses: the file its component hands it (PSP_API_KEY_FILE). */
function platformPspApiKey(config: PlatformConfig): string {
  const supervisor = new Supervisor(config, componentsFor(config));
  const payment = supervisor.components.find((component) => component.name === 'payment');
  const keyFile = payment === undefined ? undefined : payment.command(supervisor.context(payment)).env?.PSP_API_KEY_FILE;
  if (keyFile === undefined) throw new DemoError('the payment component names no PSP_API_KEY_FILE');
  return readFileSync(keyFile, 'utf8').trim();
}

function poolOf(credentials: PostgresCredentials): Pool {
  return new Pool({ ...credentials, max: POOL_MAX, connectionTimeoutMillis: HTTP_TIMEOUT_MS, statement_timeout: 15_000, application_name: 'platform-demo' });
}

/** A reader of the saga topics from their current ends: only what the demo causes (and others do meanwhile). */
async function startReader(config: PlatformConfig, codec: AvroCodec, seen: SeenEvent[]): Promise<Consumer> {
  const kafka = new Kafka({ clientId: 'platform-demo', brokers: kafkaBrokers(config), logLevel: logLevel.NOTHING, connectionTimeout: HTTP_TIMEOUT_MS, requestTimeout: 10_000 });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await Promise.all(SAGA_TOPICS.map(async (topic) => ({ topic, partitions: await admin.fetchTopicOffsets(topic) }))).finally(() => admin.disconnect());
  const reader = kafka.consumer({ groupId: `platform-demo-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  await reader.connect();
  await reader.subscribe({ topics: [...SAGA_TOPICS], fromBeginning: false });
  const byFullName = new Map(Object.values(EVENT_TYPES).map((contract) => [contract.fullName, contract.schema] as const));
  await reader.run({
    autoCommit: false,
    eachMessage: async ({ topic, message }) => {
      const decoded = await codec.decode(message.value, (name) => byFullName.get(name));
      seen.push({ topic, eventType: decoded.eventType, value: decoded.value as SeenEvent['value'] });
    },
  });
  // Start exactly where the topics ended before anything was sent: nothing of ours can be missed.
  for (const { topic, partitions } of ends) for (const { partition, offset } of partitions) reader.seek({ topic, partition, offset });
  return reader;
}

// ---------------------------------------------------------------------------------------------
// Driving a saga: through the public API (demo-api.ts); everything else is the services'.

function eventOf(c: Connections, bookingId: string, eventType: string, matches: (event: SeenEvent) => boolean = () => true): Promise<SeenEvent> {
  return pollUntil(`${eventType} for booking ${bookingId}`, () => c.seen.find((event) => event.value.envelope.correlationId === bookingId && event.eventType === eventType && matches(event)));
}

/** The next free hour of the demo room, at least two days ahead (earlier runs keep their slots). */
async function nextFreeSlot(c: Connections): Promise<Date> {
  const { rows } = await c.booking.query<{ starts_at: Date }>(
    `SELECT greatest(max(ends_at), date_trunc('hour', now() + make_interval(secs => $3))) AS starts_at
       FROM bookings WHERE tenant_id = $1 AND resource_id = $2 AND status IN ('HELD', 'CONFIRMED', 'COMPLETED')`,
    [DEMO_TENANT, DEMO_RESOURCE, MIN_NOTICE_MS / 1000],
  );
  const startsAt = rows[0]?.starts_at;
  if (startsAt === undefined) throw new DemoError('could not find a free slot');
  return startsAt;
}

async function requestBooking(c: Connections): Promise<string> {
  const startsAt = await nextFreeSlot(c);
  return requestBookingThroughApi(c.api, { resourceId: DEMO_RESOURCE, startsAt, endsAt: new Date(startsAt.getTime() + SLOT_MS), amountMinor: PRICE_MINOR, currency: CURRENCY, customerId: DEMO_CUSTOMER_ID, customerEmail: DEMO_CUSTOMER_EMAIL });
}

/** Booking accepts CompleteBooking / a refunding CancelBooking only once it has recorded the capture. */
async function captureRecordedByBooking(c: Connections, bookingId: string): Promise<void> {
  await eventOf(c, bookingId, 'PaymentCaptured');
  await pollUntil('the capture recorded by booking', async () => {
    const { rows } = await c.booking.query('SELECT 1 FROM bookings WHERE booking_id = $1 AND captured_minor IS NOT NULL', [bookingId]);
    return rows.length > 0 ? true : undefined;
  });
}

async function runHappy(c: Connections): Promise<string> {
  const bookingId = await requestBooking(c);
  await captureRecordedByBooking(c, bookingId);
  await completeBookingThroughApi(c.api, bookingId);
  await eventOf(c, bookingId, 'EscrowReleased');
  await eventOf(c, bookingId, 'EntryPosted', (event) => event.value.entryType === 'ESCROW_RELEASE');
  return bookingId;
}

async function proxyAdmin(c: Connections, method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<Response> {
  return fetch(`${pspProxyUrl(c.config)}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
}

async function runDeclined(c: Connections): Promise<string> {
  // The running payment service pays with one test card for everybody (PSP_PAYMENT_METHOD), so
  // the decline comes from the PSP proxy: one synthetic 402 card_declined for the platform's key on
  // the next PaymentIntent creation. Anything else creating an intent with that key meanwhile would take it.
  const injected = await proxyAdmin(c, 'POST', '/_faults', { kind: 'card_declined', path: '/v1/payment_intents', method: 'POST', api_key: c.pspApiKey, times: 1 });
  if (injected.status !== 201) throw new DemoError(`the PSP proxy refused the card_declined fault: ${injected.status} ${await injected.text()}`);
  const [faultId] = ((await injected.json()) as { ids: string[] }).ids;
  try {
    const bookingId = await requestBooking(c);
    await eventOf(c, bookingId, 'BookingCancelled');
    await pollUntil('payment FAILED after the cancellation', async () => {
      const { rows } = await c.payment.query("SELECT 1 FROM payments WHERE booking_id = $1 AND status = 'FAILED'", [bookingId]);
      return rows.length > 0 ? true : undefined;
    });
    return bookingId;
  } finally {
    // Used up already unless the saga failed before the PSP call; 404 then is the good answer.
    if (faultId !== undefined) await proxyAdmin(c, 'DELETE', `/_faults/${faultId}`).catch(() => undefined);
  }
}

async function runRefund(c: Connections): Promise<string> {
  const bookingId = await requestBooking(c);
  await captureRecordedByBooking(c, bookingId);
  await cancelBookingThroughApi(c.api, bookingId, 'CUSTOMER_REQUEST');
  await eventOf(c, bookingId, 'PaymentRefunded');
  await eventOf(c, bookingId, 'EntryPosted', (event) => event.value.entryType === 'REFUND');
  return bookingId;
}

const RUNS: Record<Scenario, { readonly title: string; readonly run: (c: Connections) => Promise<string> }> = {
  happy: { title: 'happy path: paid, delivered, paid out', run: runHappy },
  declined: { title: 'compensation: card declined, booking cancelled, slot released', run: runDeclined },
  refund: { title: 'compensation: cancelled after capture, refunded in full', run: runRefund },
};

// ---------------------------------------------------------------------------------------------
// The timeline: events (topic, status change, key facts), PSP calls, ledger entries and balances.

function statusChange(value: SeenEvent['value']): string {
  if (!('statusAfter' in value)) return '';
  const before = value.statusBefore === null || value.statusBefore === undefined ? '∅' : String(value.statusBefore);
  return `${before} → ${String(value.statusAfter)}`;
}

/** The one or two facts of an event a person looks for. */
function factsOf(event: SeenEvent): string {
  const v = event.value;
  switch (event.eventType) {
    case 'RequestBooking':
      return `${amount(v.price)} for ${(v.slot as { startsAt: Date }).startsAt.toISOString()}`;
    case 'BookingHeld':
      return `hold until ${(v.holdExpiresAt as Date).toISOString()}`;
    case 'PaymentAuthorized':
      return `${amount(v.authorizedAmount)} ${String(v.pspPaymentIntentId)} key ${String(v.pspIdempotencyKey)}`;
    case 'PaymentCaptured':
      return `${amount(v.capturedAmount)} fee ${amount(v.platformFee)}`;
    case 'PaymentFailed':
      return `${String(v.failureCode)} key ${String(v.pspIdempotencyKey ?? '—')}`;
    case 'PaymentRefunded':
      return `${amount(v.refundedAmount)} key ${String(v.pspIdempotencyKey ?? '—')}`;
    case 'BookingCancelled':
      return `${String(v.reason)} refund ${amount(v.refundAmount)}`;
    case 'HoldPlaced':
      return amount(v.amount);
    case 'HoldPosted':
      return amount(v.postedAmount);
    case 'EntryPosted':
      return String(v.entryType);
    case 'EscrowReleased':
      return `merchant ${amount(v.merchantAmount)} fee ${amount(v.platformFee)}`;
    default:
      return typeof v.reason === 'string' ? v.reason : '';
  }
}

function aggregateOf(event: SeenEvent): string {
  if (event.topic.startsWith('booking.')) return 'booking';
  if (event.topic.startsWith('payment.')) return 'payment';
  if (event.eventType.startsWith('Hold')) return 'hold';
  if (event.eventType.startsWith('Escrow')) return 'escrow';
  return 'ledger';
}

function printEvents(events: readonly SeenEvent[]): void {
  const first = events[0]?.value.envelope.occurredAt.getTime() ?? 0;
  write('  events (by occurredAt):');
  for (const event of events) {
    const at = `+${String(event.value.envelope.occurredAt.getTime() - first).padStart(5)} ms`;
    const actor = `${event.value.envelope.actor.type}:${event.value.envelope.actor.id}`;
    write(`    ${at}  ${event.topic.padEnd(19)}  ${event.eventType.padEnd(17)}  ${aggregateOf(event).padEnd(7)}  ${statusChange(event.value).padEnd(24)}  ${factsOf(event)}  (${actor})`);
  }
}

async function printPsp(c: Connections, bookingId: string, routes: Readonly<Record<string, number>>): Promise<void> {
  write('  PSP:');
  const calls = Object.entries(routes);
  write(`    calls at the PSP proxy during this saga: ${calls.length === 0 ? 'none' : calls.map(([route, count]) => `${route} ×${count}`).join(', ')}`);
  const { rows } = await c.payment.query<{ payment_id: string; status: string; psp_payment_intent_id: string | null; captured_minor: string | null }>(
    'SELECT payment_id, status, psp_payment_intent_id, captured_minor::text FROM payments WHERE booking_id = $1',
    [bookingId],
  );
  for (const payment of rows) {
    write(`    payment ${payment.payment_id}: ${payment.status}${payment.captured_minor === null ? '' : `, captured ${eur(payment.captured_minor)}`}`);
    if (payment.psp_payment_intent_id !== null) {
      const response = await fetch(`${pspSandboxUrl(c.config)}/v1/payment_intents/${encodeURIComponent(payment.psp_payment_intent_id)}`, {
        headers: { Authorization: `Bearer ${c.pspApiKey}` },
        signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
      });
      const intent = (await response.json()) as { id?: string; status?: string; amount?: number; capture_method?: string };
      write(`    at the PSP (localstripe): ${intent.id ?? '?'} ${intent.status ?? `answer ${response.status}`}, amount ${intent.amount ?? '?'} minor, capture ${intent.capture_method ?? '?'}`);
    }
    const refunds = await c.payment.query<{ idempotency_key: string; amount_minor: string; status: string; psp_refund_id: string | null }>(
      'SELECT idempotency_key, amount_minor::text, status, psp_refund_id FROM refunds WHERE payment_id = $1 ORDER BY sequence LIMIT $2',
      [payment.payment_id, MAX_ROWS],
    );
    for (const refund of refunds.rows) write(`    refund ${refund.idempotency_key}: ${eur(refund.amount_minor)} ${refund.status} ${refund.psp_refund_id ?? ''}`);
  }
}

async function printLedger(c: Connections, bookingId: string): Promise<void> {
  const pool = c.ledger.pool;
  write('  ledger:');
  const holds = await pool.query<{ hold_id: string; status: string; amount_minor: string; posted_amount_minor: string | null }>(
    'SELECT hold_id, status, amount_minor::text, posted_amount_minor::text FROM holds WHERE booking_id = $1 ORDER BY created_at LIMIT $2',
    [bookingId, MAX_ROWS],
  );
  if (holds.rows.length === 0) write('    no hold (nothing was authorized)');
  for (const hold of holds.rows) write(`    hold ${hold.hold_id}: ${hold.status}, held ${eur(hold.amount_minor)}${hold.posted_amount_minor === null ? '' : `, posted ${eur(hold.posted_amount_minor)}`}`);
  const escrows = await pool.query<{ status: string; captured_minor: string; merchant_share_minor: string; platform_fee_minor: string; refunded_minor: string }>(
    'SELECT status, captured_minor::text, merchant_share_minor::text, platform_fee_minor::text, refunded_minor::text FROM escrows WHERE booking_id = $1 LIMIT $2',
    [bookingId, MAX_ROWS],
  );
  for (const e of escrows.rows) write(`    escrow: ${e.status}, captured ${eur(e.captured_minor)} = merchant ${eur(e.merchant_share_minor)} + fee ${eur(e.platform_fee_minor)}, refunded ${eur(e.refunded_minor)}`);
  const lines = await pool.query<{ entry_id: string; entry_type: string; reason: string; account_id: string; side: string; amount_minor: string }>(
    `SELECT e.entry_id, e.entry_type, e.reason, l.account_id, l.side, l.amount_minor::text
       FROM journal_entries e JOIN journal_lines l USING (entry_id)
      WHERE e.booking_id = $1 ORDER BY e.created_at, e.entry_id, l.line_no LIMIT $2`,
    [bookingId, MAX_ROWS],
  );
  if (lines.rows.length === 0) write('    no journal entry');
  let entry = '';
  for (const line of lines.rows) {
    if (line.entry_id !== entry) {
      entry = line.entry_id;
      write(`    entry ${line.entry_type} (${line.reason}) ${line.entry_id}`);
    }
    write(`      ${line.side.padEnd(6)}  ${line.account_id.padEnd(44)}  ${eur(line.amount_minor).padStart(12)}`);
  }
}

async function printBalances(c: Connections): Promise<void> {
  const { rows } = await c.ledger.pool.query<{ account_id: string; normal_side: string; posted: string; pending: string }>(
    `SELECT a.account_id, a.normal_side,
            (CASE a.normal_side WHEN 'DEBIT' THEN b.debits_posted_minor - b.credits_posted_minor ELSE b.credits_posted_minor - b.debits_posted_minor END)::text AS posted,
            (b.debits_pending_minor + b.credits_pending_minor)::text AS pending
       FROM accounts a JOIN account_balances b USING (account_id)
      WHERE a.tenant_id = $1 ORDER BY a.account_id LIMIT $2`,
    [DEMO_TENANT, MAX_ROWS],
  );
  write(`balances of ${DEMO_TENANT} (all demo runs so far; on each account's normal side):`);
  for (const row of rows) write(`  ${row.account_id.padEnd(44)}  ${row.normal_side.padEnd(6)}  posted ${eur(row.posted).padStart(12)}  pending ${eur(row.pending).padStart(10)}`);
}

/** `./platform ledger verify` on the whole ledger database, its output kept for the summary line. */
async function runLedgerVerify(c: Connections): Promise<{ code: number; summary: string }> {
  let output = '';
  const code = await runLedgerCommand(['verify'], c.config, { output: (text) => (output += text), timeout_ms: VERIFY_TIMEOUT_MS });
  return { code, summary: output.trim().split('\n').at(-1) ?? '' };
}

function routeDelta(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [route, count] of Object.entries(after)) if (count !== (before[route] ?? 0)) delta[route] = count - (before[route] ?? 0);
  return delta;
}

async function proxyRoutes(c: Connections): Promise<Record<string, number>> {
  const response = await fetch(`${pspProxyUrl(c.config)}/_stats`, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  const stats = (await response.json()) as { forwarded_by_route: Record<string, number>; faults_injected: Record<string, number> };
  // Injected faults never reach the PSP; they count as calls the payment service made.
  return { ...stats.forwarded_by_route, ...Object.fromEntries(Object.entries(stats.faults_injected).map(([kind, count]) => [`${kind} (injected by the proxy)`, count])) };
}

async function runScenario(c: Connections, scenario: Scenario, index: number): Promise<boolean> {
  const { title, run } = RUNS[scenario];
  const routesBefore = await proxyRoutes(c);
  const started_ms = Date.now();
  let bookingId: string;
  try {
    bookingId = await run(c);
  } catch (error) {
    if (!(error instanceof DemoError)) throw error;
    write(`saga ${index}: ${title}: FAILED — ${error.message}`);
    return false;
  }
  const took_ms = Date.now() - started_ms;
  const routes = routeDelta(routesBefore, await proxyRoutes(c));
  const { rows } = await c.booking.query<{ status: string }>('SELECT status FROM bookings WHERE booking_id = $1', [bookingId]);
  write(`saga ${index}: ${title}`);
  write(`  booking ${bookingId} of ${DEMO_TENANT}: ${rows[0]?.status ?? '?'} after ${took_ms} ms`);
  printEvents(c.seen.filter((event) => event.value.envelope.correlationId === bookingId).sort((a, b) => a.value.envelope.occurredAt.getTime() - b.value.envelope.occurredAt.getTime()));
  await printPsp(c, bookingId, routes);
  await printLedger(c, bookingId);
  write();
  return true;
}

function parseScenarios(args: readonly string[]): Scenario[] | undefined {
  if (args.length === 0) return [...DEFAULT_SCENARIOS];
  return args.every((arg): arg is Scenario => (SCENARIOS as readonly string[]).includes(arg)) ? (args as Scenario[]) : undefined;
}

/** `./platform demo [happy|declined|refund …]`; returns the process exit code. */
export async function runDemoCommand(args: readonly string[], config: PlatformConfig): Promise<number> {
  const scenarios = parseScenarios(args);
  if (scenarios === undefined) {
    process.stderr.write(`${DEMO_USAGE}\n`);
    return args.includes('--help') || args.includes('help') ? 0 : 2;
  }
  const closers: (() => Promise<unknown>)[] = [];
  try {
    await requireServicesReady(config);
    const [bookingDb, paymentDb, ledgerDb] = await Promise.all(['booking', 'payment', 'ledger'].map((name) => ensureServiceDatabase({ config }, name)));
    if (bookingDb === undefined || paymentDb === undefined || ledgerDb === undefined) throw new DemoError('service databases missing');
    const pools = { booking: poolOf(bookingDb), payment: poolOf(paymentDb), ledger: poolOf(ledgerDb) };
    closers.push(() => Promise.all(Object.values(pools).map((pool) => pool.end())));
    const codec = new AvroCodec({ registryUrl: schemaRegistryUrl(config), clientId: 'platform-demo' });
    const seen: SeenEvent[] = [];
    const reader = await startReader(config, codec, seen);
    closers.push(() => reader.disconnect());
    const api = await demoMerchantClient(config, DEMO_TENANT);
    const pspApiKey = platformPspApiKey(config);
    const c: Connections = { config, booking: pools.booking, payment: pools.payment, ledger: { ...ledgerDb, pool: pools.ledger }, codec, api, seen, pspApiKey };

    await registerResourceThroughApi(api, DEMO_RESOURCE, 'Demo room');
    write(`demo merchant ${DEMO_TENANT}, resource ${DEMO_RESOURCE}; saga topics: ${SAGA_TOPICS.join(', ')}`);
    write();
    let ok = true;
    for (const [index, scenario] of scenarios.entries()) ok = (await runScenario(c, scenario, index + 1)) && ok;

    await printBalances(c);
    const verify = await runLedgerVerify(c);
    write(`ledger verify (./platform ledger verify, whole ledger): ${verify.code === 0 ? 'CLEAN' : `exit ${verify.code}`}  ${verify.summary}`);
    return ok && verify.code === 0 ? 0 : 1;
  } catch (error) {
    process.stderr.write(`demo: ${(error as Error).message}\n`);
    return 1;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}
