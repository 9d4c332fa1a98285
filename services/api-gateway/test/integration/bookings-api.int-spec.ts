import { randomUUID } from 'node:crypto';
import { BookingCancelled, BookingConfirmed, BookingHeld, PaymentAuthorized, PaymentCaptured, PaymentDisputed, PaymentOutcomeUnknown, type CustomerDataKeyIssued, type RequestBooking } from '@txn/contracts';
import { customerAad, dataKeyAad, newMasterKeyLine, openField, parseMasterKeyring, sealedKeyId, unwrapDataKey } from '@txn/personal-data';
import { waitFor } from '@txn/testing';
import { issueApiKey } from '../../src/auth/api-key-secret';
import { FALLBACK_REREAD_MS } from '../../src/http/prefer-wait';
import { ReadModelEvents } from './read-model-events';
import { FLOW_TIMEOUT_MS, startGatewayInProcess, type GatewayInProcess } from './support';

// Bookings and payments through the API on the gateway in-process (real PostgreSQL, Kafka,
// registry): commands reach the suite's booking.commands.v1; the read models follow the events the
// suite sends as booking and payment would.

jest.setTimeout(60_000);

const MERCHANT = 'merchant-reads-a';
const KEYRING = parseMasterKeyring(newMasterKeyLine('suite1'));
const OTHER = 'merchant-reads-b';

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
  readonly elapsed_ms: number;
}

describe('api-gateway bookings and payments (in-process, real infrastructure)', () => {
  let gateway: GatewayInProcess;
  let key: string;
  let otherKey: string;
  const events = new ReadModelEvents(MERCHANT);

  async function keyFor(merchantId: string, role: string): Promise<string> {
    const issued = await issueApiKey();
    await gateway.pool.query('INSERT INTO api_keys (id, merchant_id, prefix, secret_hash, name, role, scopes, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [randomUUID(), merchantId, issued.prefix, issued.secretHash, 'suite', role, [], 'suite']);
    return issued.key;
  }

  async function call(method: string, path: string, options: { body?: unknown; raw?: string; key?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
    const started = Date.now();
    const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const response = await fetch(`${gateway.baseUrl}${path}`, {
      method,
      // POST /v1/bookings requires an Idempotency-Key (decision 0026): a fresh one per call unless the test names its own.
      headers: { authorization: `Bearer ${options.key ?? key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}), ...options.headers },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>), elapsed_ms: Date.now() - started };
  }

  const tomorrow = (hour: number): string => new Date(Date.UTC(2031, 0, 2, hour)).toISOString();
  const validBody = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    resourceId: 'room-1',
    slot: { startsAt: tomorrow(10), endsAt: tomorrow(11) },
    price: { amountMinor: 12_500, currency: 'EUR' },
    customerId: 'cus_1',
    ...overrides,
  });

  const issuedKeys = (merchantId: string, customerId: string): CustomerDataKeyIssued[] =>
    gateway.seen.filter((record) => record.eventType === 'CustomerDataKeyIssued' && record.value.envelope.tenantId === merchantId && record.value['customerId'] === customerId).map((record) => record.value as unknown as CustomerDataKeyIssued);

  /** What the notification service does with its copy: the data key unwrapped with the keyring, the field opened. */
  function openedWithIssuedKey(merchantId: string, customerId: string, sealed: string): string {
    const issued = issuedKeys(merchantId, customerId).find((event) => event.keyId === sealedKeyId(sealed));
    if (issued === undefined) throw new Error(`no CustomerDataKeyIssued for ${sealedKeyId(sealed) ?? sealed}`);
    const dataKey = unwrapDataKey(KEYRING, { masterKeyId: issued.masterKeyId, wrapped: issued.wrappedKey }, dataKeyAad(merchantId, customerId, issued.keyId));
    return openField(dataKey, sealed, customerAad(merchantId, customerId));
  }

  const commandsFor = (bookingId: string): RequestBooking[] =>
    gateway.seen.filter((record) => record.key === bookingId).map((record) => record.value as unknown as RequestBooking);

  beforeAll(async () => {
    gateway = await startGatewayInProcess({ suiteName: 'gateway-bookings', read: ['booking.commands.v1', 'customer.keys.v1'], settings: { personalDataKeyring: KEYRING } });
    for (const merchant of [MERCHANT, OTHER]) await gateway.pool.query("INSERT INTO merchants (id, name, default_currency) VALUES ($1, $1, 'EUR')", [merchant]);
    key = await keyFor(MERCHANT, 'developer');
    otherKey = await keyFor(OTHER, 'owner');
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it.each([
    ['a negative amount', validBody({ price: { amountMinor: -1, currency: 'EUR' } }), '/price/amountMinor'],
    ['a zero amount', validBody({ price: { amountMinor: 0, currency: 'EUR' } }), '/price/amountMinor'],
    ['a decimal amount', validBody({ price: { amountMinor: 12.5, currency: 'EUR' } }), '/price/amountMinor'],
    ['an amount as a string', validBody({ price: { amountMinor: '12500', currency: 'EUR' } }), '/price/amountMinor'],
    ['an amount beyond the currency range', validBody({ price: { amountMinor: 100_000_000_001, currency: 'EUR' } }), '/price/amountMinor'],
    ['an amount beyond 2^53', validBody({ price: { amountMinor: 1e30, currency: 'JPY' } }), '/price/amountMinor'],
    ['an unknown currency', validBody({ price: { amountMinor: 100, currency: 'XYZ' } }), '/price/currency'],
    ['a lower-case currency', validBody({ price: { amountMinor: 100, currency: 'eur' } }), '/price/currency'],
    ['endsAt before startsAt', validBody({ slot: { startsAt: tomorrow(11), endsAt: tomorrow(10) } }), '/slot/endsAt'],
    ['endsAt equal to startsAt', validBody({ slot: { startsAt: tomorrow(10), endsAt: tomorrow(10) } }), '/slot/endsAt'],
    ['a time without offset', validBody({ slot: { startsAt: '2031-01-02T10:00:00', endsAt: tomorrow(11) } }), '/slot/startsAt'],
    ['an unknown field', validBody({ discount: 5 }), '/discount'],
    ['an unknown nested field', validBody({ price: { amountMinor: 100, currency: 'EUR', fee: 1 } }), '/price/fee'],
    ['a missing customer', { ...validBody(), customerId: undefined }, '/customerId'],
    ['a slot that is not an object', validBody({ slot: 'tomorrow' }), '/slot'],
    ['a hold beyond a day', validBody({ holdForSeconds: 90_000 }), '/holdForSeconds'],
    ['a malformed e-mail', validBody({ customerEmail: 'not-an-email' }), '/customerEmail'],
  ])('refuses %s with 400 problem+json naming the field, and records and sends nothing', async (_what, body, pointer) => {
    const count = async (): Promise<unknown> => (await gateway.pool.query("SELECT (SELECT count(*) FROM booking_views)::int AS views, (SELECT count(*) FROM outbox)::int AS outbox")).rows[0];
    const before = await count();
    const answer = await call('POST', '/v1/bookings', { body });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ type: '/problems/validation-failed', status: 400 });
    expect((answer.body['errors'] as { pointer: string }[]).map((error) => error.pointer)).toContain(pointer);
    expect(await count()).toEqual(before);
  });

  it('refuses a write without bookings:write (403) and without a credential (401)', async () => {
    const auditor = await keyFor(MERCHANT, 'auditor');
    expect((await call('POST', '/v1/bookings', { body: validBody(), key: auditor })).status).toBe(403);
    expect((await call('POST', '/v1/bookings', { body: validBody(), key: 'none' })).status).toBe(401);
  });

  it('answers 202 with Location and the REQUESTED booking at once, and sends RequestBooking keyed by the booking id with the caller as actor', async () => {
    const answer = await call('POST', '/v1/bookings', { body: validBody({ customerEmail: 'ada@example.com', holdForSeconds: 600 }), headers: { 'idempotency-key': 'suite-key-1' } });
    expect(answer.status).toBe(202);
    const id = answer.body['id'] as string;
    expect(answer.headers.get('location')).toBe(`/v1/bookings/${id}`);
    expect(answer.headers.get('etag')).toBe('W/"v0"');
    expect(answer.body).toMatchObject({ status: 'REQUESTED', slot: { resourceId: 'room-1', startsAt: tomorrow(10), endsAt: tomorrow(11) }, price: { amountMinor: 12_500, currency: 'EUR' }, customerId: 'cus_1', freshness: { version: 0, lastEventId: null } });
    expect(answer.body).not.toHaveProperty('customerEmail');

    const got = await call('GET', `/v1/bookings/${id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id, status: 'REQUESTED' });

    const [command] = await waitFor('RequestBooking on the suite topic', () => (commandsFor(id).length > 0 ? commandsFor(id) : undefined), FLOW_TIMEOUT_MS);
    // The email leaves the gateway sealed under the customer's data key; the key goes out wrapped on customer.keys.v1.
    const sealed = command?.customerEmail ?? '';
    expect(sealed).toMatch(/^pd1\./);
    expect(JSON.stringify(gateway.seen.map((record) => record.value), (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))).not.toContain('ada@example.com');
    // The key goes out on its own topic: the reader may see it after the command.
    await waitFor('the key on customer.keys.v1', () => (issuedKeys(MERCHANT, 'cus_1').some((event) => event.keyId === sealedKeyId(sealed)) ? true : undefined), FLOW_TIMEOUT_MS);
    expect(openedWithIssuedKey(MERCHANT, 'cus_1', sealed)).toBe('ada@example.com');
    expect(command).toMatchObject({
      bookingId: id,
      requestIdempotencyKey: 'suite-key-1',
      price: { amountMinor: 12_500n, currency: 'EUR' },
      envelope: { eventType: 'RequestBooking', aggregateId: id, correlationId: id, tenantId: MERCHANT, producer: 'api-gateway', actor: { type: 'API_KEY' } },
    });
    const holdFor_ms = (command?.holdExpiresAt.getTime() ?? 0) - (command?.envelope.occurredAt.getTime() ?? 0);
    expect(holdFor_ms).toBe(600_000);
  });

  it("erases a customer: the data key destroyed and announced, again ALREADY_ERASED, an unknown customer 404, a developer 403; a later booking gets a new key", async () => {
    const owner = await keyFor(MERCHANT, 'owner');
    const customerId = `cus_erase_${randomUUID().slice(0, 8)}`;
    const first = await call('POST', '/v1/bookings', { body: validBody({ customerId, customerEmail: 'grace@example.com', slot: { startsAt: tomorrow(14), endsAt: tomorrow(15) } }) });
    expect(first.status).toBe(202);
    await call('POST', '/v1/bookings', { body: validBody({ customerId, customerEmail: 'grace@example.com', slot: { startsAt: tomorrow(16), endsAt: tomorrow(17) } }) });
    await waitFor('the key announced', () => (issuedKeys(MERCHANT, customerId).length > 0 ? true : undefined), FLOW_TIMEOUT_MS);
    const [row] = (await gateway.pool.query<{ key_id: string; wrapped_key: string | null }>('SELECT key_id, wrapped_key FROM customer_data_keys WHERE merchant_id = $1 AND customer_id = $2', [MERCHANT, customerId])).rows;
    expect(row?.wrapped_key).not.toBeNull();

    expect((await call('POST', `/v1/customers/${customerId}/erasure`, { body: {} })).status).toBe(403);
    const erased = await call('POST', `/v1/customers/${customerId}/erasure`, { body: { reason: 'GDPR art. 17, ticket 4242 4242 4242 4242' }, key: owner });
    expect(erased).toMatchObject({ status: 202, body: { customerId, keyId: row?.key_id, status: 'ERASED' } });
    expect((await call('POST', `/v1/customers/${customerId}/erasure`, { body: {}, key: owner })).body['status']).toBe('ALREADY_ERASED');
    expect((await call('POST', `/v1/customers/cus_never_seen/erasure`, { body: {}, key: owner })).status).toBe(404);
    const [after] = (await gateway.pool.query<{ wrapped_key: string | null; erasure_reason: string }>('SELECT wrapped_key, erasure_reason FROM customer_data_keys WHERE merchant_id = $1 AND customer_id = $2', [MERCHANT, customerId])).rows;
    expect(after).toEqual({ wrapped_key: null, erasure_reason: 'GDPR art. 17, ticket [card number removed]' });
    const announced = await waitFor('CustomerErased', () => gateway.seen.find((record) => record.eventType === 'CustomerErased' && record.value['customerId'] === customerId), FLOW_TIMEOUT_MS);
    expect(announced.value).toMatchObject({ keyId: row?.key_id, erasedBy: expect.stringMatching(/^api_key:/) });

    // One key per customer until an erasure: two bookings, one key; after it, a new one.
    expect(issuedKeys(MERCHANT, customerId)).toHaveLength(1);
    await call('POST', '/v1/bookings', { body: validBody({ customerId, customerEmail: 'grace@example.com', slot: { startsAt: tomorrow(18), endsAt: tomorrow(19) } }) });
    await waitFor('a new key', () => (issuedKeys(MERCHANT, customerId).length === 2 ? true : undefined), FLOW_TIMEOUT_MS);
    expect(new Set(issuedKeys(MERCHANT, customerId).map((event) => event.keyId)).size).toBe(2);
  });

  it('refuses a card number where the platform never needs one (a customer id, a reason), naming the field', async () => {
    const byId = await call('POST', '/v1/bookings', { body: validBody({ customerId: '4111-1111-1111-1111' }) });
    expect(byId.status).toBe(400);
    expect(byId.body['errors']).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: '/customerId', detail: expect.stringMatching(/card number/) })]));
    const bookingId = (await call('POST', '/v1/bookings', { body: validBody({ slot: { startsAt: tomorrow(20), endsAt: tomorrow(21) } }) })).body['id'] as string;
    const cancel = await call('POST', `/v1/bookings/${bookingId}/cancel`, { body: { reason: 'refund to card 4242424242424242 please' } });
    expect(cancel.status).toBe(400);
    expect(cancel.body['errors']).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: '/reason' })]));
  });

  it('follows the events in order; a stale or duplicate one changes nothing; every read says what it reflects', async () => {
    const bookingId = (await call('POST', '/v1/bookings', { body: validBody() })).body['id'] as string;
    const paymentId = randomUUID();
    const held = events.held(bookingId);
    await gateway.sender.send(BookingHeld, held, bookingId);
    await gateway.sender.send(BookingConfirmed, events.confirmed(bookingId, paymentId), bookingId);
    const confirmed = await waitFor('CONFIRMED in the read model', async () => {
      const answer = await call('GET', `/v1/bookings/${bookingId}`);
      return answer.body['status'] === 'CONFIRMED' ? answer : undefined;
    }, FLOW_TIMEOUT_MS);
    expect(confirmed.body).toMatchObject({ paymentId, authorizedAmount: { amountMinor: 12_500, currency: 'EUR' }, reason: 'PAYMENT_AUTHORIZED', freshness: { version: 2, lastEventType: 'BookingConfirmed', position: { topic: gateway.topicOf['booking.events.v1'], partition: expect.any(Number), offset: expect.stringMatching(/^\d+$/) } } });
    expect(confirmed.headers.get('etag')).toBe('W/"v2"');
    expect(confirmed.headers.get('last-event-at')).toEqual(expect.any(String));

    // The same event again (a redelivery) and an older version with a new id (a replay): neither changes the row.
    await gateway.sender.send(BookingHeld, held, bookingId);
    const replay = events.held(bookingId, { amountMinor: 1n });
    await gateway.sender.send(BookingHeld, replay, bookingId);
    // Same key, same partition, in order: once the replay is judged, the redelivery before it was handled too.
    const judged = await waitFor('the replay judged by the inbox', async () => (await gateway.pool.query<{ outcome: string }>('SELECT outcome FROM inbox WHERE event_id = $1', [replay.envelope.eventId])).rows[0], FLOW_TIMEOUT_MS);
    expect(judged.outcome).toBe('stale');
    const after = await call('GET', `/v1/bookings/${bookingId}`);
    expect(after.body).toMatchObject({ status: 'CONFIRMED', price: { amountMinor: 12_500 }, freshness: { version: 2, lastEventType: 'BookingConfirmed' } });
    expect(after.body['freshness']).toEqual(confirmed.body['freshness']);
  });

  it('with Prefer: wait answers as soon as the event lands (no polling interval), and bounded when nothing comes', async () => {
    const bookingId = (await call('POST', '/v1/bookings', { body: validBody() })).body['id'] as string;
    const waiting = call('GET', `/v1/bookings/${bookingId}?afterVersion=0`, { headers: { prefer: 'wait=20' } });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const sentAt = Date.now();
    await gateway.sender.send(BookingHeld, events.held(bookingId), bookingId);
    const answer = await waiting;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'HELD', freshness: { version: 1 } });
    expect(answer.headers.get('preference-applied')).toBe('wait=20');
    // Woken by the commit's NOTIFY: well before the fallback re-read (FALLBACK_REREAD_MS) would have found it.
    expect(Date.now() - sentAt).toBeLessThan(FALLBACK_REREAD_MS - 2_000);

    const idle = await call('GET', `/v1/bookings/${bookingId}`, { headers: { prefer: 'wait=2', 'if-none-match': 'W/"v1"' } });
    expect(idle.status).toBe(304);
    expect(idle.elapsed_ms).toBeGreaterThanOrEqual(1_900);
    expect(idle.elapsed_ms).toBeLessThan(5_000);
    expect(idle.headers.get('preference-applied')).toBe('wait=2');
  });

  it('with Prefer: wait on a list answers when the page changes (a booking enters the filter), 304 when it is still the page named', async () => {
    const bookingId = (await call('POST', '/v1/bookings', { body: validBody() })).body['id'] as string;
    const list = '/v1/bookings?status=HELD&limit=100';
    const before = await call('GET', list);
    expect(before.status).toBe(200);
    const tag = before.headers.get('etag') ?? '';
    expect(tag).toMatch(/^W\/"p[0-9a-f]{24}"$/);
    expect((before.body['data'] as { id: string }[]).map((row) => row.id)).not.toContain(bookingId);

    const waiting = call('GET', list, { headers: { prefer: 'wait=20', 'if-none-match': tag } });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const sentAt = Date.now();
    await gateway.sender.send(BookingHeld, events.held(bookingId), bookingId);
    const answer = await waiting;
    expect(answer.status).toBe(200);
    expect((answer.body['data'] as { id: string }[]).map((row) => row.id)).toContain(bookingId);
    expect(answer.headers.get('etag')).not.toBe(tag);
    expect(answer.headers.get('preference-applied')).toBe('wait=20');
    // Woken by the commit's NOTIFY for the merchant's bookings, not by the fallback re-read.
    expect(Date.now() - sentAt).toBeLessThan(FALLBACK_REREAD_MS - 2_000);

    const now = answer.headers.get('etag') ?? '';
    const idle = await call('GET', list, { headers: { prefer: 'wait=2', 'if-none-match': now } });
    expect(idle.status).toBe(304);
    expect(idle.elapsed_ms).toBeGreaterThanOrEqual(1_900);
    expect(idle.headers.get('etag')).toBe(now);
    // Without Prefer, If-None-Match of the current page is a 304 at once.
    const unchanged = await call('GET', list, { headers: { 'if-none-match': now } });
    expect(unchanged.status).toBe(304);
    expect(unchanged.elapsed_ms).toBeLessThan(1_000);
  });

  it('caps Prefer: wait at 30 s and answers a terminal booking at once', async () => {
    const bookingId = (await call('POST', '/v1/bookings', { body: validBody() })).body['id'] as string;
    await gateway.sender.send(BookingHeld, events.held(bookingId), bookingId);
    await waitFor('HELD', async () => ((await call('GET', `/v1/bookings/${bookingId}`)).body['status'] === 'HELD' ? true : undefined), FLOW_TIMEOUT_MS);
    const cancel = await call('POST', `/v1/bookings/${bookingId}/cancel`, { body: { reason: 'CUSTOMER_REQUEST' } });
    expect(cancel.status).toBe(202);
    expect(cancel.headers.get('location')).toBe(`/v1/bookings/${bookingId}`);
    expect(cancel.body).toMatchObject({ status: 'HELD', lastCommand: 'CancelBooking' });
    await waitFor('CancelBooking on the suite topic', () => (gateway.seen.some((record) => record.key === bookingId && record.eventType === 'CancelBooking') ? true : undefined), FLOW_TIMEOUT_MS);
    await gateway.sender.send(BookingCancelled, events.cancelled(bookingId, 2n), bookingId);
    const ended = await call('GET', `/v1/bookings/${bookingId}?afterVersion=1`, { headers: { prefer: 'wait=600' } });
    expect(ended.body).toMatchObject({ status: 'CANCELLED' });
    expect(ended.headers.get('preference-applied')).toBe('wait=30');
    const terminal = await call('GET', `/v1/bookings/${bookingId}?afterVersion=2`, { headers: { prefer: 'wait=10' } });
    expect(terminal.elapsed_ms).toBeLessThan(1_000);
    const again = await call('POST', `/v1/bookings/${bookingId}/complete`, { body: {} });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ type: '/problems/conflict', currentStatus: 'CANCELLED', bookingId });
  });

  it("answers another merchant's booking and payment 404, lists none of them, and 404s ids that are not ours to give", async () => {
    const bookingId = (await call('POST', '/v1/bookings', { body: validBody() })).body['id'] as string;
    const paymentId = randomUUID();
    await gateway.sender.send(PaymentAuthorized, events.authorized(paymentId, bookingId), paymentId);
    await waitFor('the payment', async () => ((await call('GET', `/v1/payments/${paymentId}`)).status === 200 ? true : undefined), FLOW_TIMEOUT_MS);
    for (const path of [`/v1/bookings/${bookingId}`, `/v1/payments/${paymentId}`]) {
      const answer = await call('GET', path, { key: otherKey });
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ type: '/problems/not-found' });
    }
    expect((await call('POST', `/v1/bookings/${bookingId}/cancel`, { body: {}, key: otherKey })).status).toBe(404);
    expect((await call('GET', '/v1/bookings?limit=100', { key: otherKey })).body['data']).toEqual([]);
    expect((await call('GET', '/v1/bookings/not-a-uuid')).status).toBe(404);
    expect((await call('GET', `/v1/bookings/${randomUUID()}`)).status).toBe(404);
  });

  it('pages newest first with a bounded page size, no row twice, filtered by status and creation time', async () => {
    const from = new Date().toISOString();
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) ids.push((await call('POST', '/v1/bookings', { body: validBody() })).body['id'] as string);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query = `/v1/bookings?limit=2&status=REQUESTED&createdFrom=${encodeURIComponent(from)}${cursor === null ? '' : `&cursor=${cursor}`}`;
      const page: Answer = await call('GET', query);
      expect(page.status).toBe(200);
      const data = page.body['data'] as { id: string; status: string }[];
      expect(data.length).toBeLessThanOrEqual(2);
      seen.push(...data.map((item) => item.id));
      cursor = page.body['nextCursor'] as string | null;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(seen).toEqual([...ids].reverse());
    expect(pages).toBe(3);
    expect((await call('GET', `/v1/bookings?createdTo=${encodeURIComponent(from)}&limit=100`)).body['data']).not.toEqual(expect.arrayContaining([expect.objectContaining({ id: ids[0] })]));
    for (const bad of ['limit=101', 'limit=0', 'limit=abc', 'status=LOST', 'cursor=bm90LWEtY3Vyc29y', 'createdFrom=yesterday', 'colour=red']) {
      const answer = await call('GET', `/v1/bookings?${bad}`);
      expect({ bad, status: answer.status, type: answer.body['type'] }).toEqual({ bad, status: 400, type: '/problems/validation-failed' });
    }
  });

  it('reads payments with their amounts and flags, and lists the sagas needing a person joined with their bookings', async () => {
    const bookingId = (await call('POST', '/v1/bookings', { body: validBody() })).body['id'] as string;
    const paymentId = randomUUID();
    await gateway.sender.send(PaymentAuthorized, events.authorized(paymentId, bookingId, 2n), paymentId);
    await gateway.sender.send(PaymentOutcomeUnknown, events.outcomeUnknown(paymentId, bookingId, 3n), paymentId);
    const flagged = await waitFor('OUTCOME_UNKNOWN', async () => {
      const answer = await call('GET', `/v1/payments/${paymentId}`);
      return answer.body['status'] === 'OUTCOME_UNKNOWN' ? answer : undefined;
    }, FLOW_TIMEOUT_MS);
    expect(flagged.body).toMatchObject({ bookingId, authorizedAmount: { amountMinor: 12_500, currency: 'EUR' }, pspPaymentIntentId: 'pi_suite', attention: { kind: 'PAYMENT_OUTCOME_UNKNOWN', operation: 'CAPTURE' }, freshness: { version: 3 } });

    // The booking shows its payment, joined from the payments read model (each keeps its own version).
    expect((await call('GET', `/v1/bookings/${bookingId}`)).body).toMatchObject({ payment: { id: paymentId, status: 'OUTCOME_UNKNOWN', attention: 'PAYMENT_OUTCOME_UNKNOWN', version: 3 }, freshness: { version: 0 } });

    const attention = await call('GET', '/v1/sagas/attention');
    expect(attention.status).toBe(200);
    expect(attention.body['data']).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'PAYMENT_OUTCOME_UNKNOWN', bookingId, booking: expect.objectContaining({ id: bookingId }), payment: expect.objectContaining({ id: paymentId }) })]));
    expect(((await call('GET', '/v1/sagas/attention', { key: otherKey })).body['data'] as unknown[]).length).toBe(0);

    const waiting = call('GET', `/v1/payments/${paymentId}`, { headers: { prefer: 'wait=20', 'if-none-match': 'W/"v3"' } });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await gateway.sender.send(PaymentCaptured, events.captured(paymentId, bookingId, 4n), paymentId);
    const captured = await waiting;
    expect(captured.status).toBe(200);
    expect(captured.body).toMatchObject({ status: 'CAPTURED', capturedAmount: { amountMinor: 12_500 }, platformFee: { amountMinor: 375 }, attention: null, freshness: { version: 4 } });
    expect(captured.elapsed_ms).toBeLessThan(10_000);
    const listed = await call('GET', '/v1/payments?status=CAPTURED&limit=5');
    expect(listed.body['data']).toEqual(expect.arrayContaining([expect.objectContaining({ id: paymentId })]));

    // A chargeback: the payment is flagged for a person, and a later event (here an unknown refund outcome) does not unflag it.
    await gateway.sender.send(PaymentDisputed, events.disputed(paymentId, bookingId, 5n), paymentId);
    const disputed = await waitFor('PAYMENT_DISPUTED', async () => {
      const answer = await call('GET', `/v1/payments/${paymentId}`);
      return (answer.body['attention'] as { kind?: string } | null)?.kind === 'PAYMENT_DISPUTED' ? answer : undefined;
    }, FLOW_TIMEOUT_MS);
    expect(disputed.body).toMatchObject({ status: 'CAPTURED', freshness: { version: 5 } });
    await gateway.sender.send(PaymentOutcomeUnknown, { ...events.outcomeUnknown(paymentId, bookingId, 6n), statusBefore: 'CAPTURED', statusAfter: 'CAPTURED', operation: 'REFUND' }, paymentId);
    const after = await waitFor('version 6', async () => {
      const answer = await call('GET', `/v1/payments/${paymentId}`);
      return (answer.body['freshness'] as { version?: number }).version === 6 ? answer : undefined;
    }, FLOW_TIMEOUT_MS);
    expect(after.body['attention']).toMatchObject({ kind: 'PAYMENT_DISPUTED' });
    expect((await call('GET', '/v1/sagas/attention')).body['data']).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'PAYMENT_DISPUTED', bookingId })]));
  });
});
