import { randomUUID } from 'node:crypto';
import { CompleteBooking, RequestBooking, type Actor, type Envelope } from '@txn/contracts';
import { waitFor } from '@txn/testing';
import { openBreaks, verifyLedger } from '@txn/ledger';
import { HOUR_MS, PRICE_MINOR } from './support/saga-figures';
import { INSTANCES, SCALED_SERVICES, startScaleOutPlatform, type ScaleOutPlatform } from './support/scale-out-platform';
import { killServiceProcesses } from './support/platform-processes';

// Users who outgrow one process run more instances in one consumer group. Here: two instances each
// of booking, payment and ledger (as `PLATFORM_INSTANCES=2 ./platform up` runs them), on one set of
// topics, on a Kafka broker and a PostgreSQL of this suite's own. Sagas are in flight throughout
// while one instance of each service is killed with SIGKILL (its partitions move to the other),
// started again (they move back), and then the broker and the database themselves are killed
// with SIGKILL mid-saga and started again. Afterwards, from the systems of record: every saga
// terminal, one PaymentIntent per booking at the PSP itself, each journal entry written once,
// the ledger verifies clean and nets to zero, no release request left waiting, no break, nothing
// dead-lettered.

/** Private PostgreSQL and Kafka, then six services (tsx, migrations under one lock per database, group joins). */
const START_TIMEOUT_MS = 240_000;
/** One step of a saga across a kill: a rebalance after the 6 s session, a broker's log recovery, a database's crash recovery. */
const ACROSS_CHAOS_TIMEOUT_MS = 180_000;
const TEST_TIMEOUT_MS = 480_000;
const SAGAS_PER_WAVE = 6;
const SLOT_LEAD_MS = 48 * HOUR_MS;
/** Far beyond the test: no hold may expire because the broker was down. */
const HOLD_MS = 60 * 60_000;
/** How long an outage lasts: long enough that every service notices, short enough for the test. */
const OUTAGE_MS = 2_000;
const MERCHANT_KEY: Actor = { type: 'API_KEY', id: 'merchant-e2e-key' };
const POLL_MS = 200;

const sleep = (ms: number): Promise<void> => new Promise((resolvePromise) => setTimeout(resolvePromise, ms));

describe('two instances of every service in one consumer group, through SIGKILLs of instances, of the broker and of PostgreSQL (private Kafka and PostgreSQL; real registry and localstripe)', () => {
  let platform: ScaleOutPlatform | undefined;

  function started(): ScaleOutPlatform {
    if (platform === undefined) throw new Error('the platform did not start');
    return platform;
  }

  function envelope(eventType: string, bookingId: string, actor: Actor): Envelope {
    return { eventId: randomUUID(), eventType, occurredAt: new Date(), producer: 'e2e-test', aggregateId: bookingId, aggregateVersion: 0n, correlationId: bookingId, causationId: null, actor, tenantId: started().tenantId };
  }

  /** A send the broker may be down for: tried again until it is back, within the step's bound. */
  function sendAcrossOutages(send: () => Promise<void>, what: string): Promise<true> {
    return waitFor(what, async () => (await send().then(() => true as const)), ACROSS_CHAOS_TIMEOUT_MS, POLL_MS);
  }

  /** `count` bookings of one new resource, an hour apart, all requested at once, each by its own customer. */
  async function requestBookings(wave: string, count: number): Promise<string[]> {
    const { tenantId } = started();
    const resourceId = `room-${wave}-${randomUUID().slice(0, 8)}`;
    await started().poolOf('booking').query('INSERT INTO resources (tenant_id, resource_id, name) VALUES ($1, $2, $3)', [tenantId, resourceId, `E2E scale-out room ${wave}`]);
    const firstSlot_ms = Date.now() + SLOT_LEAD_MS;
    const requests: RequestBooking[] = Array.from({ length: count }, (_, index) => {
      const bookingId = randomUUID();
      const customerId = `customer-${wave}-${index}`;
      const startsAt = new Date(firstSlot_ms + index * HOUR_MS);
      return {
        envelope: envelope('RequestBooking', bookingId, { type: 'USER', id: customerId }),
        bookingId,
        requestIdempotencyKey: randomUUID(),
        customerId,
        customerEmail: null,
        slot: { resourceId, startsAt, endsAt: new Date(startsAt.getTime() + HOUR_MS) },
        price: { amountMinor: PRICE_MINOR, currency: 'EUR' },
        holdExpiresAt: new Date(Date.now() + HOLD_MS),
      };
    });
    await Promise.all(requests.map((request) => sendAcrossOutages(() => started().send(RequestBooking, request, request.bookingId), `RequestBooking ${request.bookingId} sent`)));
    return requests.map((request) => request.bookingId);
  }

  async function bookingStatus(bookingId: string): Promise<{ status: string; captured: boolean } | undefined> {
    const { rows } = await started().poolOf('booking').query<{ status: string; captured_minor: string | null }>('SELECT status, captured_minor FROM bookings WHERE booking_id = $1', [bookingId]);
    const row = rows[0];
    return row === undefined ? undefined : { status: row.status, captured: row.captured_minor !== null };
  }

  /**
   * The merchant's part: CompleteBooking once booking's own row shows the capture and `gate` is
   * open (a test holds completions back until its next kill, so that sagas are in flight then),
   * then the escrow released in the ledger's. Read from the databases, across every outage.
   */
  async function completeWhenCaptured(bookingId: string, gate: Promise<void>): Promise<void> {
    await waitFor(`booking ${bookingId} to record its capture`, async () => ((await bookingStatus(bookingId))?.captured === true ? true : undefined), ACROSS_CHAOS_TIMEOUT_MS, POLL_MS);
    await gate;
    const complete = { envelope: envelope('CompleteBooking', bookingId, MERCHANT_KEY), bookingId, deliveredAt: new Date(), reason: null };
    await sendAcrossOutages(() => started().send(CompleteBooking, complete, bookingId), `CompleteBooking ${bookingId} sent`);
    await waitFor(
      `the escrow of booking ${bookingId} to be released`,
      async () => {
        const { rows } = await started().poolOf('ledger').query<{ status: string }>('SELECT status FROM escrows WHERE booking_id = $1', [bookingId]);
        return rows[0]?.status === 'RELEASED' ? true : undefined;
      },
      ACROSS_CHAOS_TIMEOUT_MS,
      POLL_MS,
    );
  }

  /** A wave of sagas driven to completion, its completions held back until `release()`. */
  interface Wave {
    readonly bookingIds: readonly string[];
    readonly done: Promise<void>;
    release(): void;
  }

  async function wave(name: string): Promise<Wave> {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolvePromise) => (release = resolvePromise));
    const bookingIds = await requestBookings(name, SAGAS_PER_WAVE);
    const done = Promise.all(bookingIds.map((bookingId) => completeWhenCaptured(bookingId, gate))).then(() => undefined);
    // Awaited at the end; a failure meanwhile must not count as an unhandled rejection.
    done.catch(() => undefined);
    return { bookingIds, done, release };
  }

  /** Mid-saga: some booking of the wave is CONFIRMED (captured or about to be; its completion held back). */
  async function untilOneConfirmed(current: Wave): Promise<void> {
    try {
      await waitFor(
        `a booking of ${current.bookingIds.length} to be CONFIRMED`,
        async () => ((await Promise.all(current.bookingIds.map(bookingStatus))).some((row) => row?.status === 'CONFIRMED') ? true : undefined),
        ACROSS_CHAOS_TIMEOUT_MS,
        POLL_MS,
      );
    } catch (error) {
      const statuses = await Promise.all(current.bookingIds.map(bookingStatus)).catch(() => 'unreadable');
      throw new Error(`${(error as Error).message}; the wave stands at ${JSON.stringify(statuses)}`);
    }
  }

  async function expectBothInstancesConsume(): Promise<void> {
    for (const service of SCALED_SERVICES) {
      const members = await waitFor(`two members of group ${service}, each with partitions`, async () => {
        const live = await started().membersOf(service);
        return live.length === INSTANCES.length && live.every((member) => member.partitions > 0) ? live : undefined;
      }, ACROSS_CHAOS_TIMEOUT_MS, POLL_MS);
      expect(members).toHaveLength(2);
    }
  }

  /** What must hold afterwards, read from the systems of record: the services' databases, the PSP sandbox, the broker. */
  async function expectSettled(bookingIds: readonly string[]): Promise<void> {
    const ids = [...bookingIds].sort();
    const booking = started().poolOf('booking');
    const payment = started().poolOf('payment');
    const ledger = started().poolOf('ledger');
    const bookings = await booking.query('SELECT booking_id, status, captured_minor FROM bookings WHERE booking_id = ANY($1::uuid[]) ORDER BY booking_id', [ids]);
    expect(bookings.rows).toEqual(ids.map((id) => ({ booking_id: id, status: 'COMPLETED', captured_minor: String(PRICE_MINOR) })));
    const payments = await payment.query('SELECT booking_id, status, captured_minor, in_flight, needs_attention FROM payments WHERE booking_id = ANY($1::uuid[]) ORDER BY booking_id', [ids]);
    expect(payments.rows).toEqual(ids.map((id) => ({ booking_id: id, status: 'CAPTURED', captured_minor: String(PRICE_MINOR), in_flight: null, needs_attention: false })));
    expect((await payment.query('SELECT count(*)::int AS n FROM psp_calls')).rows).toEqual([{ n: 0 }]);
    const escrows = await ledger.query('SELECT booking_id, status FROM escrows WHERE booking_id = ANY($1::uuid[]) ORDER BY booking_id', [ids]);
    expect(escrows.rows).toEqual(ids.map((id) => ({ booking_id: id, status: 'RELEASED' })));
    const entries = await ledger.query('SELECT booking_id, entry_type, count(*)::int AS n FROM journal_entries WHERE booking_id = ANY($1::uuid[]) GROUP BY booking_id, entry_type ORDER BY booking_id, entry_type', [ids]);
    expect(entries.rows).toEqual(ids.flatMap((id) => [{ booking_id: id, entry_type: 'CAPTURE_TO_ESCROW', n: 1 }, { booking_id: id, entry_type: 'ESCROW_RELEASE', n: 1 }]));
    expect((await ledger.query('SELECT count(*)::int AS n FROM escrow_release_requests')).rows).toEqual([{ n: 0 }]);
    expect(await openBreaks(ledger)).toEqual([]);
    const report = await verifyLedger(ledger);
    expect(report.findings).toEqual([]);
    for (const currency of report.currencies) expect(currency).toMatchObject({ postedNetMinor: 0n, pendingNetMinor: 0n });
    // At the PSP itself (not through our proxy): exactly one PaymentIntent per booking, captured in full.
    const intents = (await started().intentsAtSandbox()).filter((intent) => ids.includes(intent.metadata.booking_id ?? ''));
    expect(intents.map((intent) => [intent.metadata.booking_id, intent.status, intent.amount]).sort()).toEqual(ids.map((id) => [id, 'succeeded', Number(PRICE_MINOR)]));
    const parked = await started().deadLetters();
    expect(Object.entries(parked).filter(([, messages]) => messages > 0)).toEqual([]);
    const instances = SCALED_SERVICES.flatMap((service) => INSTANCES.map((instance) => (instance === 1 ? service : `${service}-${instance}`)));
    expect(instances.flatMap((instance) => started().processOf(instance).logs.filter((line) => line.msg === 'message dead-lettered'))).toEqual([]);
    // No instance died by itself along the way (a crash would leave the other one to do all the work unseen).
    for (const instance of instances) {
      const child = started().processOf(instance);
      expect({ instance, running: child.running(), exits: child.runs.flatMap((run) => (run.exit === undefined ? [] : [run.exit])) }).toEqual({
        instance,
        running: true,
        exits: instance.includes('-') ? [] : [{ code: null, signal: 'SIGKILL' }],
      });
    }
  }

  beforeAll(async () => {
    platform = await startScaleOutPlatform();
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await platform?.close();
    killServiceProcesses();
  }, START_TIMEOUT_MS);

  it('shares every topic between the two instances of each service: both are members of the group with partitions', async () => {
    await expectBothInstancesConsume();
  }, ACROSS_CHAOS_TIMEOUT_MS);

  it(
    'completes every saga and keeps every invariant through a SIGKILL of one instance of each service, of the broker and of PostgreSQL, sagas in flight each time',
    async () => {
      const a = await wave('a');
      await untilOneConfirmed(a);
      // One instance of each service dies; its partitions move to the other after the session.
      await Promise.all(SCALED_SERVICES.map((service) => started().kill(service)));
      const b = await wave('b');
      a.release();
      await Promise.all(SCALED_SERVICES.map((service) => started().start(service)));
      await expectBothInstancesConsume();

      await untilOneConfirmed(b);
      await started().killInfrastructure('kafka');
      b.release();
      await sleep(OUTAGE_MS);
      await started().startInfrastructure('kafka');

      const c = await wave('c');
      await untilOneConfirmed(c);
      await started().killInfrastructure('postgres');
      c.release();
      await sleep(OUTAGE_MS);
      await started().startInfrastructure('postgres');

      await Promise.all([a.done, b.done, c.done]);
      await expectSettled([...a.bookingIds, ...b.bookingIds, ...c.bookingIds]);
    },
    TEST_TIMEOUT_MS,
  );
});
