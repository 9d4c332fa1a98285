import { randomBytes, randomUUID } from 'node:crypto';
import { BookingHeld } from '@txn/contracts';
import { waitFor } from '@txn/testing';
import { paymentIdOf } from '../../src/application/payment-id';
import type { AuthorizeRequest, IntentListing, IntentView, PaymentServiceProvider, PspAnswer, ListedRefund, RefundView } from '../../src/application/psp-port';
import { BookingFacts, FLOW_TIMEOUT_MS, startPaymentInProcess, type PaymentInProcess } from './support';

// The PSP call dispatcher as a bounded pipeline: the payment service in-process on the real
// PostgreSQL, Kafka and registry (as payment-service.int-spec.ts), with a PSP whose answers the
// test releases by hand, so that "a call is still in flight" is a state the test holds, not a
// timing. Authorizations only: BookingHeld → PENDING + AUTHORIZE call → PaymentAuthorized.
// A call whose answer cannot be recorded is retried a bounded number of times, then parked; the
// faults are real: a PostgreSQL trigger that refuses the recording, a PSP adapter that throws.

/** At most this many PSP calls in flight (PAYMENT_CALL_BATCH_SIZE). */
const CALLS_IN_FLIGHT = 3;
const CALL_POLL_INTERVAL_MS = 100;
/** Lease = timeout + 5 s: far above the test, so a held call is never claimed twice by expiry. */
const PSP_TIMEOUT_MS = 60_000;
/**
 * Proving that a call was *not* made needs a bounded wait: this many poll intervals after the
 * calls committed (each commit also NOTIFYs the dispatcher), a dispatcher that ignored its bound
 * would have claimed them.
 */
const ABSENCE_WAIT_MS = 5 * CALL_POLL_INTERVAL_MS;
/** PAYMENT_CALL_MAX_ATTEMPTS: a call is made at most this often before it is parked. */
const MAX_CALL_ATTEMPTS = 3;
/** PAYMENT_CALL_RETRY_BASE_MS: the first retry's delay (then doubled); the lease above is far longer. */
const CALL_RETRY_BASE_MS = 100;
/** Twice the delay a next attempt would have waited, had the call not been parked, plus poll intervals. */
const AFTER_PARK_WAIT_MS = 2 * CALL_RETRY_BASE_MS * 2 ** MAX_CALL_ATTEMPTS;
const facts = new BookingFacts('merchant-dispatch-1');

/**
 * A PSP that authorizes everything, and holds the answer for the bookings it is told to hold until
 * the test releases them. Counts calls in flight at the moment each arrives.
 */
class HeldAnswersPsp implements PaymentServiceProvider {
  inFlight = 0;
  maxInFlight = 0;
  readonly arrived: string[] = [];
  private readonly toHold = new Set<string>();
  private readonly toThrow = new Set<string>();
  private readonly releases = new Map<string, () => void>();

  hold(bookingId: string): void {
    this.toHold.add(bookingId);
  }

  /** The adapter throws for this booking (a bug in it, not an answer of the PSP). */
  throwFor(bookingId: string): void {
    this.toThrow.add(bookingId);
  }

  isHeld(bookingId: string): boolean {
    return this.releases.has(bookingId);
  }

  release(bookingId: string): void {
    const release = this.releases.get(bookingId);
    if (release === undefined) throw new Error(`no held call for booking ${bookingId}`);
    this.releases.delete(bookingId);
    release();
  }

  async authorize(request: AuthorizeRequest): Promise<PspAnswer<IntentView>> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.arrived.push(request.bookingId);
    try {
      if (this.toThrow.has(request.bookingId)) throw new TypeError(`adapter bug for ${request.bookingId}`);
      if (this.toHold.has(request.bookingId)) await new Promise<void>((resolvePromise) => this.releases.set(request.bookingId, resolvePromise));
      const authorizedAt = new Date();
      return { ok: true, value: { id: `pi_held_${request.paymentId.slice(0, 8)}`, status: 'requires_capture', amount: request.amount, chargeId: null, actionType: null, lastError: null, authorizedAt, captureBefore: null, paymentId: request.paymentId } };
    } finally {
      this.inFlight -= 1;
    }
  }

  capture(): Promise<PspAnswer<IntentView>> {
    return Promise.resolve(notUsed('capture'));
  }

  cancel(): Promise<PspAnswer<IntentView>> {
    return Promise.resolve(notUsed('cancel'));
  }

  retrieve(): Promise<PspAnswer<IntentView>> {
    return Promise.resolve(notUsed('retrieve'));
  }

  findAuthorization(): Promise<PspAnswer<IntentView>> {
    return Promise.resolve(notUsed('findAuthorization'));
  }

  refund(): Promise<PspAnswer<RefundView>> {
    return Promise.resolve(notUsed('refund'));
  }

  listIntents(): Promise<PspAnswer<IntentListing>> {
    return Promise.resolve(notUsed('listIntents'));
  }

  listRefunds(): Promise<PspAnswer<readonly ListedRefund[]>> {
    return Promise.resolve(notUsed('listRefunds'));
  }

  findRefund(): Promise<PspAnswer<RefundView>> {
    return Promise.resolve(notUsed('findRefund'));
  }
}

/** Anything but authorize would be a bug in this flow: answered as a malformed request, which the test sees as a parked call. */
function notUsed(operation: string): { readonly ok: false; readonly failure: { readonly kind: 'invalid_request'; readonly status: null; readonly code: null; readonly message: string } } {
  return { ok: false, failure: { kind: 'invalid_request', status: null, code: null, message: `${operation} is not used in this test` } };
}

describe('PSP call dispatcher (bounded pipeline, real PostgreSQL and Kafka)', () => {
  const psp = new HeldAnswersPsp();
  let payment: PaymentInProcess;

  async function sendHeld(bookingId: string): Promise<void> {
    await payment.send(BookingHeld, facts.held({ bookingId }));
  }

  async function statusesOf(bookingIds: readonly string[]): Promise<Map<string, string>> {
    const { rows } = await payment.pool.query<{ booking_id: string; status: string }>('SELECT booking_id::text, status FROM payments WHERE booking_id = ANY($1::uuid[])', [bookingIds]);
    return new Map(rows.map((row) => [row.booking_id, row.status]));
  }

  function allWithStatus(bookingIds: readonly string[], status: string): () => Promise<true | undefined> {
    return async () => {
      const statuses = await statusesOf(bookingIds);
      return bookingIds.every((id) => statuses.get(id) === status) ? true : undefined;
    };
  }

  async function callRows(bookingIds: readonly string[]): Promise<{ paymentId: string; attempts: number; leased: boolean }[]> {
    const { rows } = await payment.pool.query<{ payment_id: string; attempts: number; leased: boolean }>(
      'SELECT payment_id::text, attempts, available_at > now() AS leased FROM psp_calls WHERE payment_id = ANY($1::uuid[]) ORDER BY payment_id',
      [bookingIds.map(paymentIdOf)],
    );
    return rows.map((row) => ({ paymentId: row.payment_id, attempts: row.attempts, leased: row.leased }));
  }

  beforeAll(async () => {
    payment = await startPaymentInProcess({
      suiteName: 'psp-call-dispatcher',
      pspApiKey: `sk_test_unused_${randomBytes(4).toString('hex')}`,
      settings: {
        // Never called: the PSP is the test's (paymentService's `psp` seam).
        PSP_API_URL: 'http://127.0.0.1:9',
        PSP_TIMEOUT_MS: String(PSP_TIMEOUT_MS),
        PAYMENT_CALL_POLL_INTERVAL_MS: String(CALL_POLL_INTERVAL_MS),
        PAYMENT_CALL_BATCH_SIZE: String(CALLS_IN_FLIGHT),
        PAYMENT_CALL_MAX_ATTEMPTS: String(MAX_CALL_ATTEMPTS),
        PAYMENT_CALL_RETRY_BASE_MS: String(CALL_RETRY_BASE_MS),
      },
      seams: { psp },
      logLevel: 'warn',
      // The test reads the payments table: no reader of payment events needed.
      readPaymentEvents: false,
    });
  });

  afterAll(async () => {
    await payment?.close();
  });

  it('keeps calling the PSP while one call hangs, never has more than the bound in flight, and keeps each claimed call to itself until its lease ends', async () => {
    // 1. One call hangs at the PSP.
    const slow = randomUUID();
    psp.hold(slow);
    await sendHeld(slow);
    await waitFor('the slow authorization at the PSP', () => (psp.isHeld(slow) ? true : undefined), FLOW_TIMEOUT_MS);

    // 2. The others are authorized meanwhile: the hanging call holds one slot, not the dispatcher.
    const quick: string[] = Array.from({ length: 6 }, () => randomUUID());
    for (const bookingId of quick) await sendHeld(bookingId);
    await waitFor('the quick bookings authorized while the slow call hangs', allWithStatus(quick, 'AUTHORIZED'), FLOW_TIMEOUT_MS);
    expect(psp.isHeld(slow)).toBe(true);
    expect((await statusesOf([slow])).get(slow)).toBe('PENDING');
    // Claimed once, and still leased: nobody else makes it while it is ours.
    expect(await callRows([slow])).toEqual([{ paymentId: paymentIdOf(slow), attempts: 1, leased: true }]);

    // 3. Fill every slot with hanging calls; calls that arrive now wait for a free slot.
    const alsoSlow: [string, string] = [randomUUID(), randomUUID()];
    for (const bookingId of alsoSlow) {
      psp.hold(bookingId);
      await sendHeld(bookingId);
    }
    await waitFor(`${CALLS_IN_FLIGHT} calls hanging at the PSP`, () => (psp.inFlight === CALLS_IN_FLIGHT ? true : undefined), FLOW_TIMEOUT_MS);
    const waiting: string[] = [randomUUID(), randomUUID()];
    for (const bookingId of waiting) await sendHeld(bookingId);
    await waitFor('the waiting calls listed', async () => ((await callRows(waiting)).length === waiting.length ? true : undefined), FLOW_TIMEOUT_MS);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, ABSENCE_WAIT_MS));
    expect((await callRows(waiting)).map((row) => row.attempts)).toEqual([0, 0]);
    expect(psp.arrived.filter((bookingId) => waiting.includes(bookingId))).toEqual([]);

    // 4. Each answer frees one slot, which the next waiting call takes.
    psp.release(alsoSlow[0]);
    await waitFor('one waiting call made after one slot freed', () => (psp.arrived.filter((bookingId) => waiting.includes(bookingId)).length >= 1 ? true : undefined), FLOW_TIMEOUT_MS);
    psp.release(alsoSlow[1]);
    psp.release(slow);
    const everyone = [slow, ...quick, ...alsoSlow, ...waiting];
    await waitFor('every booking authorized', allWithStatus(everyone, 'AUTHORIZED'), FLOW_TIMEOUT_MS);

    expect(psp.maxInFlight).toBe(CALLS_IN_FLIGHT);
    expect([...psp.arrived].sort()).toEqual([...everyone].sort());
    expect(await callRows(everyone)).toEqual([]);
  });

  async function callRow(bookingId: string): Promise<{ attempts: number; parked: boolean; last_error: string | null } | undefined> {
    const { rows } = await payment.pool.query<{ attempts: number; parked: boolean; last_error: string | null }>(
      'SELECT attempts, parked_at IS NOT NULL AS parked, last_error FROM psp_calls WHERE payment_id = $1',
      [paymentIdOf(bookingId)],
    );
    return rows[0];
  }

  async function parkedGauge(operation: string): Promise<number | undefined> {
    const gauge = await payment.service.dependencies.metrics.getSingleMetric('payment_psp_calls_parked')?.get();
    return gauge?.values.find((value) => value.labels.operation === operation)?.value;
  }

  /** The call was made MAX_CALL_ATTEMPTS times, parked, the payment flagged, the park counted and logged; and it is never made again. */
  async function expectParkedForGood(bookingId: string, error: RegExp): Promise<void> {
    const paymentId = paymentIdOf(bookingId);
    const parked = await waitFor(`the call of ${bookingId} parked`, async () => ((await callRow(bookingId))?.parked === true ? callRow(bookingId) : undefined), FLOW_TIMEOUT_MS);
    expect(parked).toMatchObject({ attempts: MAX_CALL_ATTEMPTS, parked: true });
    expect(parked?.last_error).toMatch(error);
    // The payment is flagged in a transaction of its own after the park (call-dispatcher.ts), then the park is logged: wait for both.
    const flagged = async (): Promise<unknown[] | undefined> => {
      const row = await payment.pool.query('SELECT status, needs_attention FROM payments WHERE payment_id = $1', [paymentId]);
      const parkLogged = payment.logs.some((line) => line.paymentId === paymentId && line.level === 'error' && String(line.msg).includes('parked'));
      return (row.rows[0] as { needs_attention?: boolean } | undefined)?.needs_attention === true && parkLogged ? row.rows : undefined;
    };
    expect(await waitFor(`the payment of ${bookingId} flagged and the park logged`, flagged, FLOW_TIMEOUT_MS)).toEqual([{ status: 'PENDING', needs_attention: true }]);
    const logged = payment.logs.filter((line) => line.paymentId === paymentId && line.level === 'error' && String(line.msg).includes('parked'));
    expect(logged).toEqual([expect.objectContaining({ idempotencyKey: `pay_${paymentId}_authorize`, operation: 'AUTHORIZE', attempts: MAX_CALL_ATTEMPTS })]);
    // Parked is parked: no claim, no call, however long we wait.
    await new Promise((resolvePromise) => setTimeout(resolvePromise, AFTER_PARK_WAIT_MS));
    expect(psp.arrived.filter((id) => id === bookingId)).toHaveLength(MAX_CALL_ATTEMPTS);
    expect(await callRow(bookingId)).toMatchObject({ attempts: MAX_CALL_ATTEMPTS, parked: true });
  }

  it('parks a call whose answer the database keeps refusing to record after a bounded number of attempts, flags the payment, and never makes it again', async () => {
    const bookingId = randomUUID();
    const paymentId = paymentIdOf(bookingId);
    // The recording transaction removes the answered call from the work list: refuse that, for this payment only.
    await payment.pool.query(`CREATE OR REPLACE FUNCTION test_refuse_recording() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected: the answer of % cannot be recorded', OLD.idempotency_key; END $$`);
    await payment.pool.query(`CREATE TRIGGER test_refuse_recording BEFORE DELETE ON psp_calls FOR EACH ROW WHEN (OLD.payment_id = '${paymentId}'::uuid) EXECUTE FUNCTION test_refuse_recording()`);
    try {
      await sendHeld(bookingId);
      await expectParkedForGood(bookingId, /injected: the answer of pay_.* cannot be recorded/);
      expect(await parkedGauge('AUTHORIZE')).toBeGreaterThanOrEqual(1);
    } finally {
      await payment.pool.query('DROP TRIGGER IF EXISTS test_refuse_recording ON psp_calls');
    }
  });

  it('parks a call whose PSP adapter throws (not an answer of the PSP) after the same bounded number of attempts', async () => {
    const bookingId = randomUUID();
    psp.throwFor(bookingId);
    await sendHeld(bookingId);
    await expectParkedForGood(bookingId, /adapter bug/);
    expect(await parkedGauge('AUTHORIZE')).toBeGreaterThanOrEqual(2);
  });
});
