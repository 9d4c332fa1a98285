import { randomUUID } from 'node:crypto';
import { CancelBooking, RefundPayment, type BookingCancelled, type PaymentRefundRejected, type RequestBooking } from '@txn/contracts';
import { waitFor } from '@txn/testing';
import type { GatewayUnderTest } from './support/gateway-beside';
import { startPlatformInProcess, type PlatformInProcess } from './support/platform-in-process';
import { FEE_MINOR, HOUR_MS, PRICE_MINOR, SAGA_TEST_TIMEOUT_MS, STEP_TIMEOUT_MS } from './support/saga-figures';

// The booking saga through the public API: the api-gateway, booking, payment, ledger and audit in one
// process on the real Kafka, PostgreSQL, registry and localstripe. A merchant's owner key
// creates a booking over HTTP, follows it with Prefer: wait (no polling loop of ours: each GET
// returns when the gateway's read model changes), completes it, and reads the payment captured.
// (The generated typed client replaces these fetch calls once it exists.)

/** Four services' migrations, group joins, schema registration. */
const START_TIMEOUT_MS = 180_000;
/** Long-polls per step: each returns at the next change, so a step takes as many as it has events. */
const MAX_WAITS_PER_STEP = 10;

interface Resource {
  readonly status: string;
  readonly [member: string]: unknown;
}

describe('booking saga through the API (api-gateway, booking, payment, ledger in-process; real infrastructure)', () => {
  let platform: PlatformInProcess;
  let gateway: GatewayUnderTest;
  let key: string;

  async function call(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Headers; body: Resource }> {
    const response = await fetch(`${gateway.baseUrl}${path}`, {
      method,
      // Every POST carries an Idempotency-Key, as a client that retries safely does (required on POST /v1/bookings).
      headers: { authorization: `Bearer ${key}`, ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}), ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Resource };
  }

  /** GET, then GET with Prefer: wait=30 after the version last seen, until `done` or a terminal status that is not it. */
  async function follow(path: string, done: (resource: Resource) => boolean, terminal: readonly string[]): Promise<Resource> {
    // A first plain read: a wait from the version found answers only at its next change.
    const now = await call('GET', path);
    expect(now.status).toBe(200);
    if (done(now.body)) return now.body;
    let version = (now.body['freshness'] as { version: number }).version;
    for (let attempt = 0; attempt < MAX_WAITS_PER_STEP; attempt += 1) {
      const answer = await call('GET', `${path}?afterVersion=${version}`, { headers: { prefer: 'wait=30' } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('preference-applied')).toBe('wait=30');
      if (done(answer.body)) return answer.body;
      if (terminal.includes(answer.body.status)) throw new Error(`${path} ended ${answer.body.status} (${String(answer.body['reason'])})`);
      version = (answer.body['freshness'] as { version: number }).version;
    }
    throw new Error(`${path} did not get there in ${MAX_WAITS_PER_STEP} waits`);
  }

  beforeAll(async () => {
    platform = await startPlatformInProcess({ paymentMethodOf: () => 'pm_card_visa', gateway: true, audit: true });
    if (platform.gateway === undefined) throw new Error('the platform started without the gateway');
    gateway = platform.gateway;
    // The owner reads bookings, payments and the ledger (a developer key may not read the ledger).
    key = await gateway.keyFor(platform.tenantId, 'owner');
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await platform?.close();
  });

  /** A booking through the API, followed until CONFIRMED and its payment CAPTURED: its ids. */
  async function capturedBooking(): Promise<{ bookingId: string; paymentId: string }> {
    const resourceId = `room-${randomUUID().slice(0, 8)}`;
    await platform.booking.pool.query('INSERT INTO resources (tenant_id, resource_id, name) VALUES ($1, $2, $3)', [platform.tenantId, resourceId, 'API room']);
    const startsAt = new Date(Date.now() + 7 * 24 * HOUR_MS);
    const slot = { startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + HOUR_MS).toISOString() };
    const created = await call('POST', '/v1/bookings', { body: { resourceId, slot, price: { amountMinor: Number(PRICE_MINOR), currency: 'EUR' }, customerId: 'customer-api' } });
    expect(created.status).toBe(202);
    const bookingId = String(created.body['id']);
    const confirmed = await follow(`/v1/bookings/${bookingId}`, (booking) => booking.status === 'CONFIRMED', ['REJECTED', 'CANCELLED', 'EXPIRED', 'COMPLETED']);
    const paymentId = String(confirmed['paymentId']);
    await follow(`/v1/payments/${paymentId}`, (payment) => payment.status === 'CAPTURED', ['FAILED', 'VOIDED', 'CAPTURE_FAILED', 'REFUNDED']);
    return { bookingId, paymentId };
  }

  it(
    'creates a booking over HTTP with an API key, sees it CONFIRMED by waiting, completes it, and reads it COMPLETED with its payment CAPTURED and the escrow released in the ledger',
    async () => {
      const resourceId = `room-${randomUUID().slice(0, 8)}`;
      await platform.booking.pool.query('INSERT INTO resources (tenant_id, resource_id, name) VALUES ($1, $2, $3)', [platform.tenantId, resourceId, 'API room']);
      const startsAt = new Date(Date.now() + 7 * 24 * HOUR_MS);
      const created = await call('POST', '/v1/bookings', {
        body: { resourceId, slot: { startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + HOUR_MS).toISOString() }, price: { amountMinor: Number(PRICE_MINOR), currency: 'EUR' }, customerId: 'customer-api' },
      });
      expect({ status: created.status, body: created.body }).toMatchObject({ status: 202 });
      const bookingId = String(created.body['id']);
      expect(created.headers.get('location')).toBe(`/v1/bookings/${bookingId}`);
      expect(created.body.status).toBe('REQUESTED');

      const confirmed = await follow(`/v1/bookings/${bookingId}`, (booking) => booking.status === 'CONFIRMED', ['REJECTED', 'CANCELLED', 'EXPIRED', 'COMPLETED']);
      expect(confirmed).toMatchObject({ price: { amountMinor: Number(PRICE_MINOR), currency: 'EUR' }, authorizedAmount: { amountMinor: Number(PRICE_MINOR) }, paymentId: expect.any(String) });
      const paymentId = String(confirmed['paymentId']);

      // The command booking received is the gateway's, on behalf of the key's merchant.
      const request = platform.sagaOf(bookingId).find((event) => event.eventType === 'RequestBooking')?.value as unknown as RequestBooking | undefined;
      expect(request?.envelope).toMatchObject({ producer: 'api-gateway', tenantId: platform.tenantId, actor: { type: 'API_KEY' } });

      const captured = await follow(`/v1/payments/${paymentId}`, (payment) => payment.status === 'CAPTURED', ['FAILED', 'VOIDED', 'CAPTURE_FAILED', 'REFUNDED']);
      expect(captured).toMatchObject({ bookingId, capturedAmount: { amountMinor: Number(PRICE_MINOR), currency: 'EUR' }, platformFee: { amountMinor: Number(FEE_MINOR) }, attention: null });

      // Booking unlocks completion once it has seen the capture: the payment's freshness names that event.
      const capturedEventId = (captured['freshness'] as { lastEventId: string }).lastEventId;
      await waitFor('booking handled the capture', () => (platform.booking.logs.some((line) => line.msg === 'message handled' && line.eventId === capturedEventId) ? true : undefined), STEP_TIMEOUT_MS);
      const complete = await call('POST', `/v1/bookings/${bookingId}/complete`, { body: { reason: 'SERVICE_DELIVERED' } });
      expect(complete.status).toBe(202);
      expect(complete.body).toMatchObject({ status: 'CONFIRMED', lastCommand: 'CompleteBooking' });
      const completed = await follow(`/v1/bookings/${bookingId}`, (booking) => booking.status === 'COMPLETED', ['REJECTED', 'CANCELLED', 'EXPIRED']);
      expect(completed).toMatchObject({ paymentId, deliveredAt: expect.any(String), freshness: { lastEventType: 'BookingCompleted' } });

      const payment = await call('GET', `/v1/payments/${paymentId}`);
      expect(payment.body).toMatchObject({ status: 'CAPTURED', capturedAmount: { amountMinor: Number(PRICE_MINOR) } });
      // The ledger released the escrow for the completed booking (its read side is a later step of the API).
      await platform.waitForEvent(bookingId, 'EscrowReleased', STEP_TIMEOUT_MS);
      const listed = await call('GET', '/v1/bookings?status=COMPLETED');
      expect((listed.body['data'] as { id: string }[]).map((booking) => booking.id)).toContain(bookingId);

      // The books through the API: the escrow is released (its net back to zero) and every entry balances.
      const escrow = `ESCROW:${platform.tenantId}:EUR`;
      const balances = await waitFor('the release in the gateway\'s journal', async () => {
        const answer = await call('GET', '/v1/ledger/balances');
        const rows = answer.body['balances'] as { accountId: string; net: { amountMinor: number } }[];
        return rows.find((row) => row.accountId === escrow)?.net.amountMinor === 0 ? rows : undefined;
      }, STEP_TIMEOUT_MS);
      expect(balances.reduce((sum, row) => sum + row.net.amountMinor, 0)).toBe(0);
      const lines = (await call('GET', `/v1/ledger/accounts/${escrow}/entries`)).body['data'] as { entryType: string; runningBalance: { amountMinor: number } }[];
      expect(lines.map((line) => line.entryType)).toEqual(['CAPTURE_TO_ESCROW', 'ESCROW_RELEASE']);
      expect(lines.map((line) => line.runningBalance.amountMinor)).toEqual([-Number(PRICE_MINOR - FEE_MINOR), 0]);
    },
    SAGA_TEST_TIMEOUT_MS,
  );

  it(
    'refunds a captured payment through the API: PENDING at once, SUCCEEDED when the PSP gave it back, the books follow; more than remains is refused with the figure, by the API and by payment itself',
    async () => {
      const { bookingId, paymentId } = await capturedBooking();
      const refunds = `/v1/payments/${paymentId}/refunds`;
      const first = await call('POST', refunds, { body: { amount: { amountMinor: 2_000, currency: 'EUR' }, reason: 'GOODWILL' } });
      expect({ status: first.status, body: first.body }).toMatchObject({ status: 202, body: { status: 'PENDING', amount: { amountMinor: 2_000, currency: 'EUR' }, reason: 'GOODWILL', requestedBy: expect.stringMatching(/^API_KEY:/) } });
      const refundId = String(first.body['id']);
      expect(first.headers.get('location')).toBe(`${refunds}/${refundId}`);
      const command = (await platform.waitForEvent(bookingId, 'RefundPayment', STEP_TIMEOUT_MS)).value as unknown as RefundPayment;
      expect(command).toMatchObject({ paymentId, refundId, envelope: { producer: 'api-gateway', aggregateId: paymentId, correlationId: bookingId, actor: { type: 'API_KEY' } } });

      const succeeded = await follow(`${refunds}/${refundId}`, (refund) => refund.status === 'SUCCEEDED', ['FAILED', 'REJECTED']);
      expect(succeeded).toMatchObject({ pspRefundId: expect.stringMatching(/^re_/), freshness: { lastEventType: 'PaymentRefunded' } });
      const payment = await follow(`/v1/payments/${paymentId}`, (found) => found.status === 'PARTIALLY_REFUNDED', ['REFUNDED']);
      expect(payment).toMatchObject({ refundedAmount: { amountMinor: 2_000 } });
      const refundEntry = await platform.waitForEvent(bookingId, 'EntryPosted', STEP_TIMEOUT_MS, (event) => (event.value as { entryType?: string }).entryType === 'REFUND');
      expect(refundEntry.value).toMatchObject({ entryType: 'REFUND' });

      // The API refuses more than remains (captured − refunded − its own pending refunds), naming what remains.
      const remaining = Number(PRICE_MINOR) - 2_000;
      const tooMuch = await call('POST', refunds, { body: { amount: { amountMinor: remaining + 1, currency: 'EUR' } } });
      expect({ status: tooMuch.status, body: tooMuch.body }).toMatchObject({ status: 422, body: { type: '/problems/refund-exceeds-refundable', refundable: { amountMinor: remaining, currency: 'EUR' } } });
      // Two requests for all that remains, at once: one is accepted, the other sees it pending and is refused.
      const racing = await Promise.all([0, 1].map(() => call('POST', refunds, { body: { amount: { amountMinor: remaining, currency: 'EUR' } } })));
      expect(racing.map((answer) => answer.status).sort()).toEqual([202, 422]);
      expect(racing.find((answer) => answer.status === 422)?.body).toMatchObject({ refundable: { amountMinor: 0 } });
      const rest = racing.find((answer) => answer.status === 202);
      await follow(`${refunds}/${String(rest?.body['id'])}`, (refund) => refund.status === 'SUCCEEDED', ['FAILED', 'REJECTED']);
      await follow(`/v1/payments/${paymentId}`, (found) => found.status === 'REFUNDED', []);

      // Payment judges for itself under the payment's lock: a command past the API's check (sent here straight to the topic) is refused and announced.
      const rejectedId = randomUUID();
      const envelope = { eventId: randomUUID(), eventType: RefundPayment.eventType, occurredAt: new Date(), producer: 'e2e-test', aggregateId: paymentId, aggregateVersion: 0n, correlationId: bookingId, causationId: null, actor: { type: 'USER' as const, id: 'staff-e2e' }, tenantId: platform.tenantId };
      await platform.send(RefundPayment, { envelope, paymentId, bookingId, refundId: rejectedId, amount: { amountMinor: 1n, currency: 'EUR' }, reason: 'GOODWILL' }, paymentId);
      const rejected = await platform.waitForEvent(bookingId, 'PaymentRefundRejected', STEP_TIMEOUT_MS);
      expect(rejected.value as unknown as PaymentRefundRejected).toMatchObject({ refundId: rejectedId, code: 'ALREADY_FULLY_REFUNDED', refundableAmount: { amountMinor: 0n, currency: 'EUR' }, statusAfter: 'REFUNDED' });
      // A refund the API never asked for enters its read model at its first event.
      const shown = await waitFor('the rejection in the read model', async () => {
        const answer = await call('GET', `${refunds}/${rejectedId}`);
        return answer.status === 200 && answer.body.status === 'REJECTED' ? answer.body : undefined;
      }, STEP_TIMEOUT_MS);
      expect(shown).toMatchObject({ requestedBy: null, rejection: { code: 'ALREADY_FULLY_REFUNDED', refundable: { amountMinor: 0, currency: 'EUR' } } });
      const listed = await call('GET', refunds);
      expect((listed.body['data'] as Resource[]).map((refund) => refund.status).sort()).toEqual(['REJECTED', 'SUCCEEDED', 'SUCCEEDED']);
    },
    SAGA_TEST_TIMEOUT_MS,
  );

  it(
    "sets the merchant's refund policy through the API: booking applies it, the API shows it, and a customer's cancellation of a booking made after it is refunded by it",
    async () => {
      const DAY_S = 86_400;
      // The slot is 7 days ahead: under these terms a customer cancelling now gets 40 % back.
      const terms = { tiers: [{ minNoticeSeconds: 14 * DAY_S, refundBp: 10_000 }, { minNoticeSeconds: 3 * DAY_S, refundBp: 4_000 }], otherwiseBp: 0, reason: 'e2e terms' };
      const asked = await call('PUT', '/v1/refund-policy', { body: terms });
      expect({ status: asked.status, body: asked.body }).toMatchObject({ status: 202, body: { pending: { tiers: terms.tiers } } });
      const applied = await waitFor('booking applied the terms', async () => {
        const answer = await call('GET', '/v1/refund-policy');
        return answer.body['source'] === 'MERCHANT' && answer.body['pending'] === null ? answer.body : undefined;
      }, STEP_TIMEOUT_MS);
      expect(applied).toMatchObject({ version: expect.any(Number), tiers: terms.tiers, otherwiseBp: 0, reason: 'e2e terms', setBy: expect.stringMatching(/^API_KEY:/) });
      const stored = await platform.booking.pool.query('SELECT tiers, otherwise_bp FROM refund_policies WHERE tenant_id = $1', [platform.tenantId]);
      expect(stored.rows[0]).toEqual({ tiers: [{ minNotice_ms: 14 * DAY_S * 1_000, refund_bp: 10_000 }, { minNotice_ms: 3 * DAY_S * 1_000, refund_bp: 4_000 }], otherwise_bp: 0 });

      const { bookingId } = await capturedBooking();
      const envelope = { eventId: randomUUID(), eventType: CancelBooking.eventType, occurredAt: new Date(), producer: 'e2e-test', aggregateId: bookingId, aggregateVersion: 0n, correlationId: bookingId, causationId: null, actor: { type: 'USER' as const, id: 'customer-api' }, tenantId: platform.tenantId };
      await platform.send(CancelBooking, { envelope, bookingId, reason: 'CUSTOMER_REQUEST' }, bookingId);
      const cancelled = (await platform.waitForEvent(bookingId, 'BookingCancelled', STEP_TIMEOUT_MS)).value as unknown as BookingCancelled;
      expect(cancelled.refundAmount).toEqual({ amountMinor: (PRICE_MINOR * 4_000n) / 10_000n, currency: 'EUR' });
    },
    SAGA_TEST_TIMEOUT_MS,
  );
  it(
    "shows an auditor one saga's audit records through the API: the audit chain's own records (hash and link), filtered by aggregate, actor and time, page by page; a developer and another merchant's chain are refused",
    async () => {
      const { bookingId, paymentId } = await capturedBooking();
      const audit = platform.audit;
      if (audit === undefined) throw new Error('this suite starts the audit service');
      const auditor = { authorization: `Bearer ${await gateway.keyFor(platform.tenantId, 'auditor')}` };
      type Listed = { seq: number; hash: string; prevHash: string; action: string; actor: { type: string; id: string }; aggregate: { type: string; id: string }; statusAfter: string | null; occurredAt: string };
      const list = async (query: string): Promise<Listed[]> => {
        const answer = await call('GET', `/v1/audit-records?${query}&limit=100`, { headers: auditor });
        expect(answer.status).toBe(200);
        return answer.body['data'] as Listed[];
      };
      const chainRows = async () =>
        (await audit.pool.query<{ seq: string; hash: string; prev_hash: string; action: string }>('SELECT seq, hash, prev_hash, action FROM audit_records WHERE chain_id = $1 AND correlation_id = $2 ORDER BY seq', [platform.tenantId, bookingId])).rows;
      // The audit service and the gateway's read model each follow at their own pace: wait until the API shows what the chain holds, capture included.
      const listed = await waitFor('the saga\'s audit records in the gateway', async () => {
        const [rows, shown] = [await chainRows(), await list(`correlationId=${bookingId}`)];
        const same = rows.length === shown.length && rows.every((row, index) => shown[index]?.hash === row.hash);
        return same && rows.some((row) => row.action === 'PaymentCaptured') ? { rows, shown } : undefined;
      }, STEP_TIMEOUT_MS);
      expect(listed.shown.map((record) => [record.seq, record.prevHash, record.action])).toEqual(listed.rows.map((row) => [Number(row.seq), row.prev_hash, row.action]));

      const payment = await list(`aggregateType=payment&aggregateId=${paymentId}`);
      expect(payment.every((record) => record.aggregate.id === paymentId)).toBe(true);
      expect(payment.map((record) => record.statusAfter)).toEqual(expect.arrayContaining(['AUTHORIZED', 'CAPTURED']));
      const byKey = await list(`correlationId=${bookingId}&actorType=API_KEY`);
      expect(byKey.length).toBeGreaterThan(0);
      expect(byKey.every((record) => record.actor.type === 'API_KEY')).toBe(true);
      const last = listed.shown[listed.shown.length - 1];
      const first = listed.shown[0];
      if (last === undefined || first === undefined) throw new Error('the saga has no audit records');
      expect(await list(`correlationId=${bookingId}&from=${encodeURIComponent(new Date(Date.parse(last.occurredAt) + 1).toISOString())}`)).toEqual([]);
      expect((await list(`correlationId=${bookingId}&to=${encodeURIComponent(first.occurredAt)}`)).map((record) => record.seq)).not.toContain(first.seq);

      // Page by page (two at a time): every record once, in chain order.
      const paged: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await call('GET', `/v1/audit-records?correlationId=${bookingId}&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`, { headers: auditor });
        paged.push(...(page.body['data'] as Listed[]).map((record) => record.seq));
        cursor = page.body['nextCursor'] as string | null;
      } while (cursor !== null && paged.length <= listed.shown.length);
      expect(paged).toEqual(listed.shown.map((record) => record.seq));

      const developer = await call('GET', '/v1/audit-records', { headers: { authorization: `Bearer ${await gateway.keyFor(platform.tenantId, 'developer')}` } });
      expect(developer.status).toBe(403);
      expect(developer.headers.get('content-type')).toContain('application/problem+json');
      expect((await call('GET', '/v1/audit-records?tenant=someone-else', { headers: auditor })).status).toBe(403);
      expect((await call('GET', '/v1/audit-records?cursor=bm90LWEtY3Vyc29y', { headers: auditor })).status).toBe(400);
    },
    SAGA_TEST_TIMEOUT_MS,
  );
});
