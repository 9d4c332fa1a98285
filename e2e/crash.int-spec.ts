import { randomUUID } from 'node:crypto';
import { CompleteBooking, RequestBooking, type Actor, type Envelope } from '@txn/contracts';
import { waitFor } from '@txn/testing';
import { verifyLedger } from '@txn/ledger';
import type { LogLine } from './support/platform-in-process';
import { killServiceProcesses, SERVICE_READY_TIMEOUT_MS, startPlatformProcesses, type PlatformProcesses } from './support/platform-processes';
import { HOUR_MS, PRICE_MINOR, STEP_TIMEOUT_MS } from './support/saga-figures';

// Crashes mid-saga: booking, payment and ledger run as child processes, started as the platform
// starts them, on the real Kafka, PostgreSQL, registry and localstripe (behind the in-process PSP
// fault proxy). A test SIGKILLs one of them while sagas are in flight and starts it again. No
// clean shutdown, no chance to finish a transaction or a PSP call: what was committed stays,
// the rest is done again from the outbox, the inbox and payment's call list. After each test:
// one PaymentIntent per booking at the PSP, the ledger verifies clean with each entry written
// once, every aggregate terminal, nothing dead-lettered.

/** A step that waits for a killed service to be back: its start, its group join after the dead member's session, then the step. */
const ACROSS_RESTART_TIMEOUT_MS = SERVICE_READY_TIMEOUT_MS + STEP_TIMEOUT_MS;
/** Above the harness's own bound on starting three services, so the harness fails (and cleans up) first. */
const START_TIMEOUT_MS = SERVICE_READY_TIMEOUT_MS + 60_000;
const TEST_TIMEOUT_MS = ACROSS_RESTART_TIMEOUT_MS + 60_000;
/** The kill is decided by polling what the harness saw; the sooner, the more work is still in flight. */
const KILL_POLL_INTERVAL_MS = 10;
/** How long the proxy holds payment's authorization: the kill lands long before it ends (same process, earlier timer). */
const AUTHORIZE_DELAY_MS = 1_500;
const SAGAS_PER_CRASH = 6;
/** Far from the slot: well inside any horizon, far from "in the past". */
const SLOT_LEAD_MS = 48 * HOUR_MS;
const HOLD_MS = 15 * 60_000;
const MERCHANT_KEY: Actor = { type: 'API_KEY', id: 'merchant-e2e-key' };
const AUTHORIZE_ROUTE = 'POST /v1/payment_intents';
const CAPTURE_ROUTE = 'POST /v1/payment_intents/{id}/capture';

describe('crash recovery end to end (booking, payment, ledger as processes killed with SIGKILL mid-saga; real Kafka, PostgreSQL, registry, localstripe)', () => {
  let platform: PlatformProcesses | undefined;

  function started(): PlatformProcesses {
    if (platform === undefined) throw new Error('the platform did not start');
    return platform;
  }

  function envelope(eventType: string, bookingId: string, actor: Actor): Envelope {
    return { eventId: randomUUID(), eventType, occurredAt: new Date(), producer: 'e2e-test', aggregateId: bookingId, aggregateVersion: 0n, correlationId: bookingId, causationId: null, actor, tenantId: started().tenantId };
  }

  /** `count` bookings of one new resource, an hour apart (different slots), all requested at once. */
  async function requestBookings(count: number): Promise<string[]> {
    const { booking, tenantId } = started();
    const resourceId = `room-${randomUUID().slice(0, 8)}`;
    await booking.pool.query('INSERT INTO resources (tenant_id, resource_id, name) VALUES ($1, $2, $3)', [tenantId, resourceId, 'E2E crash room']);
    const firstSlot_ms = Date.now() + SLOT_LEAD_MS;
    const requests: RequestBooking[] = Array.from({ length: count }, (_, index) => {
      const bookingId = randomUUID();
      const startsAt = new Date(firstSlot_ms + index * HOUR_MS);
      return {
        envelope: envelope('RequestBooking', bookingId, { type: 'USER', id: `customer-${index}` }),
        bookingId,
        requestIdempotencyKey: randomUUID(),
        customerId: `customer-${index}`,
        customerEmail: null,
        slot: { resourceId, startsAt, endsAt: new Date(startsAt.getTime() + HOUR_MS) },
        price: { amountMinor: PRICE_MINOR, currency: 'EUR' },
        holdExpiresAt: new Date(Date.now() + HOLD_MS),
      };
    });
    await Promise.all(requests.map((request) => started().send(RequestBooking, request, request.bookingId)));
    return requests.map((request) => request.bookingId);
  }

  /**
   * The merchant's part: CompleteBooking once booking's own row shows the capture (booking refuses
   * it before, NOT_CAPTURED), and not before `gate` (a test holds completions back until its
   * crash). Decided from the database, not from log lines: a line a killed process had not
   * flushed yet is lost with it.
   */
  async function completeWhenCaptured(bookingId: string, gate: Promise<void>, timeout_ms: number): Promise<void> {
    const { booking } = started();
    await waitFor(
      `booking ${bookingId} to record its capture`,
      async () => {
        const { rows } = await booking.pool.query<{ captured_minor: string | null }>('SELECT captured_minor FROM bookings WHERE booking_id = $1', [bookingId]);
        return rows[0]?.captured_minor === null || rows[0] === undefined ? undefined : true;
      },
      timeout_ms,
      100,
    );
    await gate;
    await started().send(CompleteBooking, { envelope: envelope('CompleteBooking', bookingId, MERCHANT_KEY), bookingId, deliveredAt: new Date(), reason: null }, bookingId);
    await started().waitForEvent(bookingId, 'EscrowReleased', timeout_ms);
  }

  function routeDelta(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>): Record<string, number> {
    const delta: Record<string, number> = {};
    for (const [route, count] of Object.entries(after)) if (count !== (before[route] ?? 0)) delta[route] = count - (before[route] ?? 0);
    return delta;
  }

  /** What must hold after any crash, read from the systems of record: the services' databases, the PSP sandbox, Kafka. */
  async function expectSettled(bookingIds: readonly string[]): Promise<void> {
    const { booking, payment, ledger } = started();
    const ids = [...bookingIds].sort();
    const bookings = await booking.pool.query('SELECT booking_id, status, captured_minor FROM bookings WHERE booking_id = ANY($1::uuid[]) ORDER BY booking_id', [ids]);
    expect(bookings.rows).toEqual(ids.map((id) => ({ booking_id: id, status: 'COMPLETED', captured_minor: String(PRICE_MINOR) })));
    const payments = await payment.pool.query('SELECT booking_id, status, captured_minor, in_flight, needs_attention FROM payments WHERE booking_id = ANY($1::uuid[]) ORDER BY booking_id', [ids]);
    expect(payments.rows).toEqual(ids.map((id) => ({ booking_id: id, status: 'CAPTURED', captured_minor: String(PRICE_MINOR), in_flight: null, needs_attention: false })));
    const calls = await payment.pool.query('SELECT count(*)::int AS n FROM psp_calls');
    expect(calls.rows).toEqual([{ n: 0 }]);
    const holds = await ledger.pool.query('SELECT booking_id, status, posted_amount_minor FROM holds WHERE booking_id = ANY($1::uuid[]) ORDER BY booking_id', [ids]);
    expect(holds.rows).toEqual(ids.map((id) => ({ booking_id: id, status: 'POSTED', posted_amount_minor: String(PRICE_MINOR) })));
    const escrows = await ledger.pool.query('SELECT booking_id, status FROM escrows WHERE booking_id = ANY($1::uuid[]) ORDER BY booking_id', [ids]);
    expect(escrows.rows).toEqual(ids.map((id) => ({ booking_id: id, status: 'RELEASED' })));
    // Each journal entry once: a redelivered capture or completion wrote nothing a second time.
    const entries = await ledger.pool.query(
      'SELECT booking_id, entry_type, count(*)::int AS n FROM journal_entries WHERE booking_id = ANY($1::uuid[]) GROUP BY booking_id, entry_type ORDER BY booking_id, entry_type',
      [ids],
    );
    expect(entries.rows).toEqual(ids.flatMap((id) => [{ booking_id: id, entry_type: 'CAPTURE_TO_ESCROW', n: 1 }, { booking_id: id, entry_type: 'ESCROW_RELEASE', n: 1 }]));
    const report = await verifyLedger(ledger.pool);
    expect(report.findings).toEqual([]);
    for (const currency of report.currencies) expect(currency).toMatchObject({ postedNetMinor: 0n, pendingNetMinor: 0n });

    // At the PSP itself (not through our proxy): exactly one PaymentIntent per booking, captured in full.
    const intents = (await started().intentsAtSandbox()).filter((intent) => ids.includes(intent.metadata.booking_id ?? ''));
    expect(intents.map((intent) => [intent.metadata.booking_id, intent.status, intent.amount]).sort()).toEqual(ids.map((id) => [id, 'succeeded', Number(PRICE_MINOR)]));

    // Nothing parked: the consumers created their dead-letter topics at start (8 = the topics they
    // read: payment reads psp.events.v1, payment.commands.v1 and, for reconciliation, ledger.events.v1 too), all empty.
    const parked = await started().deadLetters();
    expect(Object.keys(parked)).toHaveLength(8);
    expect(Object.entries(parked).filter(([, messages]) => messages > 0)).toEqual([]);
    expect([booking, payment, ledger].flatMap((service) => service.logs.filter((line) => line.msg === 'message dead-lettered'))).toEqual([]);
  }

  beforeAll(async () => {
    platform = await startPlatformProcesses();
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await platform?.close();
    // A start that outlived beforeAll's timeout has no platform to close: its children go here.
    killServiceProcesses();
  }, START_TIMEOUT_MS);

  it(
    'payment killed while its authorization is held at the PSP: after the lease the same key gets the first answer, one PaymentIntent, the saga completes',
    async () => {
      const { payment, proxy, proxyEvents } = started();
      const routesBefore = proxy.stats().forwarded_by_route;
      const eventsBefore = proxyEvents.length;
      // A slow PSP: the authorization is held at the proxy, then performed as usual.
      proxy.faults.inject({ kind: 'delay', method: 'POST', path: '/v1/payment_intents', api_key: started().pspApiKey, times: 1, delay_ms: AUTHORIZE_DELAY_MS });
      const [bookingId] = await requestBookings(1);
      if (bookingId === undefined) throw new Error('no booking requested');

      // The proxy has the request (it runs in this process, its delay timer after our poll): kill now.
      await waitFor('the authorization to reach the PSP', () => proxyEvents.slice(eventsBefore).find((event) => event.event === 'fault_injected' && event.fault === 'delay'), STEP_TIMEOUT_MS, KILL_POLL_INTERVAL_MS);
      await started().kill('payment');

      // Killed mid-call: the claim committed, the answer never arrived. The call waits in the list for its lease.
      const pending = await payment.pool.query<{ payment_id: string; status: string; in_flight: unknown }>('SELECT payment_id, status, in_flight FROM payments WHERE booking_id = $1', [bookingId]);
      expect(pending.rows).toEqual([{ payment_id: expect.any(String), status: 'PENDING', in_flight: expect.anything() }]);
      const paymentId = pending.rows[0]?.payment_id ?? '';
      const key = `pay_${paymentId}_authorize`;
      const calls = await payment.pool.query('SELECT idempotency_key, operation, attempts FROM psp_calls WHERE payment_id = $1', [paymentId]);
      expect(calls.rows).toEqual([{ idempotency_key: key, operation: 'AUTHORIZE', attempts: 1 }]);

      await started().start('payment');
      const authorized = await started().waitForEvent(bookingId, 'PaymentAuthorized', ACROSS_RESTART_TIMEOUT_MS);
      expect(authorized.value).toMatchObject({ paymentId, statusBefore: 'PENDING', statusAfter: 'AUTHORIZED', pspIdempotencyKey: key, authorizedAmount: { amountMinor: PRICE_MINOR } });
      await completeWhenCaptured(bookingId, Promise.resolve(), STEP_TIMEOUT_MS);

      // The restarted service made the call again (second claim) with the same key...
      const restarted = payment.runs.at(-1)?.firstLogLine ?? 0;
      const recordedCalls = (): LogLine[] => payment.logs.slice(restarted).filter((line) => line.msg === 'PSP call answered and recorded' && line.idempotencyKey === key);
      // The line follows the commit and travels through a pipe: wait for it rather than assume it.
      await waitFor(`payment to log the recorded ${key}`, () => (recordedCalls().length > 0 ? true : undefined), STEP_TIMEOUT_MS);
      expect(recordedCalls()).toEqual([expect.objectContaining({ attempts: 2, operation: 'AUTHORIZE' })]);
      // ...and the PSP answered with its first answer (or said the first was still running, then replayed it): Stripe's semantics.
      const keyEvents = proxyEvents.slice(eventsBefore).filter((event) => event.idempotency_key === key).map((event) => event.event);
      expect(keyEvents).toContain('replayed');
      expect(keyEvents.filter((event) => event !== 'replayed' && event !== 'key_in_use')).toEqual([]);
      // One create reached the PSP, one capture; the one intent is the one PaymentAuthorized names.
      expect(routeDelta(routesBefore, proxy.stats().forwarded_by_route)).toEqual({ [AUTHORIZE_ROUTE]: 1, [CAPTURE_ROUTE]: 1 });
      const intents = (await started().intentsAtSandbox()).filter((intent) => intent.metadata.payment_id === paymentId);
      expect(intents.map((intent) => intent.id)).toEqual([authorized.value.pspPaymentIntentId]);
      await expectSettled([bookingId]);
    },
    TEST_TIMEOUT_MS,
  );

  // Each service dies once its first visible step of some saga happened, with every saga still unfinished
  // (completions wait for the crash): the ledger still owes every escrow release, booking every completion.
  it.each([
    {
      service: 'ledger' as const,
      firstStep: 'HoldPlaced',
      name: `ledger killed with ${SAGAS_PER_CRASH} sagas in flight: after its restart every saga completes, each journal entry written once, the ledger verifies clean`,
    },
    {
      service: 'booking' as const,
      firstStep: 'BookingConfirmed',
      name: `booking killed with ${SAGAS_PER_CRASH} sagas in flight: after its restart every saga completes, one PaymentIntent each, the ledger verifies clean`,
    },
  ])(
    '$name',
    async ({ service, firstStep }) => {
      const { proxy } = started();
      const routesBefore = proxy.stats().forwarded_by_route;
      const bookingIds = await requestBookings(SAGAS_PER_CRASH);
      let crashed: () => void = () => undefined;
      const crash = new Promise<void>((resolvePromise) => (crashed = resolvePromise));
      const sagas = Promise.all(bookingIds.map((bookingId) => completeWhenCaptured(bookingId, crash, ACROSS_RESTART_TIMEOUT_MS)));
      // Awaited below; a failure meanwhile must not count as an unhandled rejection.
      sagas.catch(() => undefined);

      await waitFor(`${service}'s first ${firstStep}`, () => (bookingIds.some((id) => started().sagaOf(id).some((event) => event.eventType === firstStep)) ? true : undefined), STEP_TIMEOUT_MS, KILL_POLL_INTERVAL_MS);
      await started().kill(service);
      crashed();
      await started().start(service);
      await sagas;

      expect(routeDelta(routesBefore, proxy.stats().forwarded_by_route)).toEqual({ [AUTHORIZE_ROUTE]: SAGAS_PER_CRASH, [CAPTURE_ROUTE]: SAGAS_PER_CRASH });
      await expectSettled(bookingIds);
    },
    TEST_TIMEOUT_MS,
  );
});
