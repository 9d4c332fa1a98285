import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Pool } from 'pg';
import { OUTBOX_TABLE } from '@txn/outbox';
import { INBOX_TABLE } from '@txn/messaging';
import { waitFor } from '@txn/testing';
import { verifyLedger } from '@txn/ledger';
import type { PlatformInProcess } from '@txn/e2e';
import type { DriveResult } from './sagas';

// What must hold after the run, each checked against the system of record, not against what
// the driver saw: the services' databases, the PSP sandbox's own list of intents, the ledger's
// proof, Kafka's dead-letter topics.

export interface InvariantReport {
  readonly ok: boolean;
  readonly failures: readonly string[];
  readonly bookingStatuses: Readonly<Record<string, number>>;
  readonly paymentStatuses: Readonly<Record<string, number>>;
  readonly escrowStatuses: Readonly<Record<string, number>>;
  readonly holdStatuses: Readonly<Record<string, number>>;
  readonly pspCallsLeft: number;
  readonly paymentIntents: { readonly atSandbox: number; readonly bookingsWithExactlyOne: number; readonly succeeded: number; readonly proxyForwardedByRoute: Readonly<Record<string, number>> };
  readonly ledgerVerify: { readonly findings: number; readonly entriesChecked: number; readonly accountsChecked: number; readonly netZero: boolean; readonly domainVerify: string };
  readonly inboxOutcomes: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly deadLettered: { readonly dlqTopics: number; readonly messages: number; readonly logLines: number };
}

/** Every group's lag 0 and every outbox sent, twice in a row: what is in flight has landed. */
const QUIESCE_TIMEOUT_MS = 60_000;
const QUIESCE_POLL_MS = 250;
/** 100 intents per page: bounds the listing at 100,000 intents made during the run. */
const MAX_INTENT_PAGES = 1_000;
const INTENT_PAGE_SIZE = 100;
const SANDBOX_TIMEOUT_MS = 30_000;
const ADMIN_TIMEOUT_MS = 10_000;

/** The consumer groups and what each reads (contract topics), as the services' definitions say. */
const GROUP_TOPICS = {
  booking: ['booking.commands.v1', 'payment.events.v1'],
  payment: ['booking.events.v1', 'psp.events.v1'],
  ledger: ['payment.events.v1', 'booking.events.v1'],
} as const;

interface ListedIntent {
  readonly id: string;
  readonly status: string;
  readonly amount: number;
  readonly metadata: Readonly<Record<string, string>>;
}

async function countBy(pool: Pool, sql: string): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ key: string; n: number }>(sql);
  return Object.fromEntries(rows.map((row) => [row.key, row.n]));
}

/** `test.<suite>.` of the harness's topics and groups, read back from a topic it mapped. */
function suitePrefix(platform: PlatformInProcess): string {
  const topic = platform.booking.service.dependencies.topicOf('booking.events.v1');
  return topic.slice(0, topic.lastIndexOf('.') + 1);
}

async function totalLag(admin: Admin, platform: PlatformInProcess, prefix: string): Promise<number> {
  let lag = 0;
  for (const [service, contractTopics] of Object.entries(GROUP_TOPICS)) {
    const topics = contractTopics.map((topic) => platform.booking.service.dependencies.topicOf(topic));
    const committed = await admin.fetchOffsets({ groupId: `${prefix}${service}`, topics });
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      for (const end of ends) {
        const offset = committed.find((entry) => entry.topic === topic)?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
        lag += Number(end.high) - Math.max(Number(end.low), Number(offset));
      }
    }
  }
  return lag;
}

async function unsentOutboxRows(platform: PlatformInProcess): Promise<number> {
  let unsent = 0;
  for (const service of [platform.booking, platform.payment, platform.ledger]) {
    unsent += (await service.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${OUTBOX_TABLE} WHERE sent_at IS NULL`)).rows[0]?.n ?? 0;
  }
  return unsent;
}

async function intentsOfTenant(sandboxUrl: string, apiKey: string, after: string, tenantId: string): Promise<ListedIntent[]> {
  const found: ListedIntent[] = [];
  let cursor = after;
  for (let page = 0; page < MAX_INTENT_PAGES; page += 1) {
    const response = await fetch(`${sandboxUrl}/v1/payment_intents?limit=${INTENT_PAGE_SIZE}&starting_after=${cursor}`, {
      headers: { authorization: `Bearer ${apiKey}` },
      signal: AbortSignal.timeout(SANDBOX_TIMEOUT_MS),
    });
    const list = (await response.json()) as { data: ListedIntent[]; has_more: boolean };
    found.push(...list.data.filter((intent) => intent.metadata.tenant_id === tenantId));
    const last = list.data.at(-1);
    if (!list.has_more || last === undefined) return found;
    cursor = last.id;
  }
  throw new Error(`more than ${MAX_INTENT_PAGES} pages of payment intents after ${after}`);
}

export interface InvariantInputs {
  readonly platform: PlatformInProcess;
  readonly drive: DriveResult;
  readonly brokers: readonly string[];
  readonly sandboxUrl: string;
  readonly sandboxApiKey: string;
  /** An intent created before the run: ours are listed after it. */
  readonly intentsAfter: string;
  readonly priceMinor: bigint;
}

/** Records a failure when its condition does not hold. */
type Expect = (condition: boolean, failure: string) => void;

/** Waits until every consumer group has caught up and every outbox is sent, twice in a row. */
async function quiesce(admin: Admin, platform: PlatformInProcess, prefix: string): Promise<void> {
  let quietOnce = false;
  await waitFor('every consumer group caught up and every outbox sent', async () => {
    const quiet = (await totalLag(admin, platform, prefix)) === 0 && (await unsentOutboxRows(platform)) === 0;
    const twice = quiet && quietOnce;
    quietOnce = quiet;
    return twice ? true : undefined;
  }, QUIESCE_TIMEOUT_MS, QUIESCE_POLL_MS);
}

/** What the services' own tables say: statuses by count, PSP calls still listed. */
type StoreStatuses = Pick<InvariantReport, 'bookingStatuses' | 'paymentStatuses' | 'escrowStatuses' | 'holdStatuses' | 'pspCallsLeft'>;

/** Every booking COMPLETED, every payment CAPTURED with no PSP call left, every escrow RELEASED and hold POSTED, in the services' own tables. */
async function checkStores(platform: PlatformInProcess, expected: number, expect: Expect): Promise<StoreStatuses> {
  const bookingStatuses = await countBy(platform.booking.pool, 'SELECT status AS key, count(*)::int AS n FROM bookings GROUP BY status');
  expect(bookingStatuses.COMPLETED === expected && Object.keys(bookingStatuses).length === 1, `bookings not all COMPLETED: ${JSON.stringify(bookingStatuses)}`);
  const paymentStatuses = await countBy(
    platform.payment.pool,
    `SELECT status || CASE WHEN in_flight IS NOT NULL THEN ' in-flight' WHEN needs_attention THEN ' needs-attention' ELSE '' END AS key, count(*)::int AS n FROM payments GROUP BY 1`,
  );
  expect(paymentStatuses.CAPTURED === expected && Object.keys(paymentStatuses).length === 1, `payments not all CAPTURED and settled: ${JSON.stringify(paymentStatuses)}`);
  const pspCallsLeft = (await platform.payment.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM psp_calls')).rows[0]?.n ?? -1;
  expect(pspCallsLeft === 0, `${pspCallsLeft} PSP calls still listed`);
  const escrowStatuses = await countBy(platform.ledger.pool, 'SELECT status AS key, count(*)::int AS n FROM escrows GROUP BY status');
  expect(escrowStatuses.RELEASED === expected && Object.keys(escrowStatuses).length === 1, `escrows not all RELEASED: ${JSON.stringify(escrowStatuses)}`);
  const holdStatuses = await countBy(platform.ledger.pool, 'SELECT status AS key, count(*)::int AS n FROM holds GROUP BY status');
  expect(holdStatuses.POSTED === expected && Object.keys(holdStatuses).length === 1, `holds not all POSTED: ${JSON.stringify(holdStatuses)}`);
  return { bookingStatuses, paymentStatuses, escrowStatuses, holdStatuses, pspCallsLeft };
}

/** The ledger's own proof: no finding, and every currency nets to zero, posted and pending. */
async function checkLedger(platform: PlatformInProcess, expect: Expect): Promise<InvariantReport['ledgerVerify']> {
  const report = await verifyLedger(platform.ledger.pool);
  const netZero = report.currencies.every((currency) => currency.postedNetMinor === 0n && currency.pendingNetMinor === 0n);
  expect(report.findings.length === 0 && netZero, `ledger verify: ${report.findings.length} findings, currencies ${JSON.stringify(report.currencies, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}`);
  return { findings: report.findings.length, entriesChecked: report.entriesChecked, accountsChecked: report.accountsChecked, netZero, domainVerify: report.domainVerify };
}

/** At the sandbox, one intent per booking captured in full; through the proxy, one authorize and one capture per booking. */
async function checkPaymentIntents(inputs: InvariantInputs, expected: number, expect: Expect): Promise<InvariantReport['paymentIntents']> {
  const { platform, drive } = inputs;
  // Exactly one PaymentIntent per booking, at the sandbox itself (not through our proxy), captured in full.
  const intents = await intentsOfTenant(inputs.sandboxUrl, inputs.sandboxApiKey, inputs.intentsAfter, platform.tenantId);
  const perBooking = new Map<string, number>();
  for (const intent of intents) perBooking.set(intent.metadata.booking_id ?? '', (perBooking.get(intent.metadata.booking_id ?? '') ?? 0) + 1);
  const bookingsWithExactlyOne = drive.sagas.filter((saga) => perBooking.get(saga.bookingId) === 1).length;
  const succeeded = intents.filter((intent) => intent.status === 'succeeded' && BigInt(intent.amount) === inputs.priceMinor).length;
  expect(intents.length === expected && bookingsWithExactlyOne === expected && succeeded === expected, `payment intents at the sandbox: ${intents.length} for ${expected} bookings, ${bookingsWithExactlyOne} bookings with exactly one, ${succeeded} captured in full`);
  const forwarded = platform.proxyStats().forwarded_by_route;
  expect(
    JSON.stringify(forwarded) === JSON.stringify({ 'POST /v1/payment_intents': expected, 'POST /v1/payment_intents/{id}/capture': expected }),
    `PSP calls through the proxy other than one authorize and one capture per booking: ${JSON.stringify(forwarded)}`,
  );
  return { atSandbox: intents.length, bookingsWithExactlyOne, succeeded, proxyForwardedByRoute: forwarded };
}

/** Each service's inbox by outcome: none rejected. */
async function checkInboxes(platform: PlatformInProcess, expect: Expect): Promise<Record<string, Record<string, number>>> {
  const inboxOutcomes: Record<string, Record<string, number>> = {};
  for (const [name, service] of Object.entries({ booking: platform.booking, payment: platform.payment, ledger: platform.ledger })) {
    inboxOutcomes[name] = await countBy(service.pool, `SELECT coalesce(outcome, 'none') AS key, count(*)::int AS n FROM ${INBOX_TABLE} GROUP BY 1`);
    expect(inboxOutcomes[name].rejected === undefined, `${name} rejected ${inboxOutcomes[name].rejected} messages`);
  }
  return inboxOutcomes;
}

/** Nothing parked on the suite's dead-letter topics, and no consumer logged a dead letter. */
async function checkDeadLetters(admin: Admin, platform: PlatformInProcess, prefix: string, expect: Expect): Promise<InvariantReport['deadLettered']> {
  const dlqTopics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix) && topic.endsWith('.dlq'));
  let dlqMessages = 0;
  for (const topic of dlqTopics) for (const end of await admin.fetchTopicOffsets(topic)) dlqMessages += Number(end.high) - Number(end.low);
  const deadLetterLogLines = [platform.booking.logs, platform.payment.logs, platform.ledger.logs].flat().filter((line) => line.msg === 'message dead-lettered').length;
  expect(dlqMessages === 0 && deadLetterLogLines === 0, `dead letters: ${dlqMessages} parked on ${dlqTopics.length} DLQ topics, ${deadLetterLogLines} log lines`);
  return { dlqTopics: dlqTopics.length, messages: dlqMessages, logLines: deadLetterLogLines };
}

/** Once everything in flight has landed, every invariant in turn; `ok` only when none failed. */
export async function checkInvariants(inputs: InvariantInputs): Promise<InvariantReport> {
  const { platform, drive } = inputs;
  const expected = drive.sagas.length;
  const failures: string[] = [];
  const expect: Expect = (condition, failure) => {
    if (!condition) failures.push(failure);
  };
  const prefix = suitePrefix(platform);
  const kafka = new Kafka({ clientId: 'bench-saga-check', brokers: [...inputs.brokers], logLevel: logLevel.NOTHING, connectionTimeout: ADMIN_TIMEOUT_MS, requestTimeout: ADMIN_TIMEOUT_MS });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await quiesce(admin, platform, prefix);
    expect(drive.timedOut.length === 0, `${drive.timedOut.length} sagas not released in time (first: ${drive.timedOut[0] ?? ''})`);
    expect(Object.keys(drive.offPathEvents).length === 0, `events off the happy path: ${JSON.stringify(drive.offPathEvents)}`);
    const stores = await checkStores(platform, expected, expect);
    const ledgerVerify = await checkLedger(platform, expect);
    const paymentIntents = await checkPaymentIntents(inputs, expected, expect);
    const inboxOutcomes = await checkInboxes(platform, expect);
    const deadLettered = await checkDeadLetters(admin, platform, prefix, expect);
    return {
      ok: failures.length === 0,
      failures,
      bookingStatuses: stores.bookingStatuses,
      paymentStatuses: stores.paymentStatuses,
      escrowStatuses: stores.escrowStatuses,
      holdStatuses: stores.holdStatuses,
      pspCallsLeft: stores.pspCallsLeft,
      paymentIntents,
      ledgerVerify,
      inboxOutcomes,
      deadLettered,
    };
  } finally {
    await admin.disconnect();
  }
}
