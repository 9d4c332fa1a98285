import { randomUUID } from 'node:crypto';
import { BookingHeld } from '@txn/contracts';
import { waitFor } from '@txn/testing';
import { issueApiKey } from '../../src/auth/api-key-secret';
import { ReadModelEvents } from './read-model-events';
import { startGatewayInProcess, type GatewayInProcess } from './support';

// Two api-gateway instances side by side on one database, one set of topics and one consumer
// group (as PLATFORM_INSTANCES=2 runs them), on the real PostgreSQL, Kafka and registry: what one
// instance does, the other honours — an idempotency key, a wait, a key's rate limit.

const MERCHANT = 'two-instances';
/** Per key and hour: above what the other tests of this suite send with their key (about 25 requests). */
const LIMIT = 40;
const CONCURRENT = 16;
const WAIT_MS = 15_000;

describe('api-gateway as two instances (in-process, real infrastructure)', () => {
  let gateway: GatewayInProcess;
  let key: string;
  let limitedKey: string;
  const events = new ReadModelEvents(MERCHANT);

  async function apiKey(): Promise<string> {
    const issued = await issueApiKey();
    await gateway.pool.query("INSERT INTO api_keys (id, merchant_id, prefix, secret_hash, name, role, created_by) VALUES ($1, $2, $3, $4, 'test key', 'developer', 'test')", [randomUUID(), MERCHANT, issued.prefix, issued.secretHash]);
    return issued.key;
  }

  const urlOf = (instance: number): string => gateway.instances[instance % gateway.instances.length]?.baseUrl ?? '';

  beforeAll(async () => {
    gateway = await startGatewayInProcess({ suiteName: 'gateway-two', instances: 2, read: ['booking.commands.v1'], settings: { keyRateLimit: { requestsPerWindow: LIMIT, window_s: 3_600 } } });
    await gateway.pool.query('INSERT INTO merchants (id, name, default_currency) VALUES ($1, $1, $2)', [MERCHANT, 'EUR']);
    key = await apiKey();
    limitedKey = await apiKey();
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
  });

  it(`runs ${CONCURRENT} identical POST /v1/bookings spread over both instances once: one booking, one RequestBooking on Kafka, every other answer the same 202 replayed or 409`, async () => {
    const resourceId = `room-${randomUUID()}`;
    const body = JSON.stringify({ resourceId, slot: { startsAt: '2031-03-02T10:00:00.000Z', endsAt: '2031-03-02T11:00:00.000Z' }, price: { amountMinor: 12_500, currency: 'EUR' }, customerId: 'cus_1' });
    const idempotencyKey = randomUUID();
    const responses = await Promise.all(Array.from({ length: CONCURRENT }, (_unused, index) => fetch(`${urlOf(index)}/v1/bookings`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey }, body })));
    const answers = await Promise.all(responses.map(async (response) => ({ status: response.status, replayed: response.headers.get('idempotent-replayed') === 'true', text: await response.text() })));
    const first = answers.filter((answer) => answer.status === 202 && !answer.replayed);
    expect(first).toHaveLength(1);
    for (const answer of answers.filter((candidate) => candidate !== first[0])) {
      if (answer.status === 202) expect(answer).toEqual({ ...first[0], replayed: true });
      else expect(answer.status).toBe(409);
    }
    expect((await gateway.pool.query('SELECT 1 FROM booking_views WHERE resource_id = $1', [resourceId])).rows).toHaveLength(1);
    const commands = (): number => gateway.seen.filter((record) => record.eventType === 'RequestBooking' && (record.value['slot'] as { resourceId: string }).resourceId === resourceId).length;
    await waitFor('the RequestBooking on the topic', async () => (commands() > 0 ? true : undefined), WAIT_MS);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 1_000));
    expect(commands()).toBe(1);
  });

  it('answers a wait on one instance when the event was applied by either: both LISTEN, whichever consumed it NOTIFYs', async () => {
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const created = await fetch(`${urlOf(0)}/v1/bookings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({ resourceId: 'room-1', slot: { startsAt: `2031-04-0${attempt + 1}T10:00:00.000Z`, endsAt: `2031-04-0${attempt + 1}T11:00:00.000Z` }, price: { amountMinor: 12_500, currency: 'EUR' }, customerId: 'cus_1' }),
      });
      const bookingId = String(((await created.json()) as Record<string, unknown>)['id']);
      const started = Date.now();
      const waiting = fetch(`${urlOf(1)}/v1/bookings/${bookingId}`, { headers: { authorization: `Bearer ${key}`, prefer: 'wait=20' } });
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 300));
      await gateway.sender.send(BookingHeld, events.held(bookingId), bookingId);
      const answer = (await (await waiting).json()) as Record<string, unknown>;
      expect(answer['status']).toBe('HELD');
      // Far below the 20 s asked for and the 5 s fallback re-read: it was woken.
      expect(Date.now() - started).toBeLessThan(4_000);
    }
    const handledBy = gateway.instances.map((instance) => instance.logs.filter((line) => line.msg === 'message handled' && line.eventType === 'BookingHeld').length);
    expect(handledBy.reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(4);
  });

  it(`holds a key's rate limit across both instances: ${LIMIT} requests in the window, whichever instance answers`, async () => {
    // Ten at a time, alternating instances (a bounded burst: more would queue for the test's small pools, not test the limit).
    const responses: Response[] = [];
    for (let batch = 0; batch < (2 * LIMIT) / 10; batch += 1) {
      responses.push(...(await Promise.all(Array.from({ length: 10 }, (_unused, index) => fetch(`${urlOf(index)}/v1/me`, { headers: { authorization: `Bearer ${limitedKey}` } })))));
    }
    const statuses = responses.map((response) => response.status);
    const others = statuses.filter((status) => status !== 200 && status !== 429);
    expect(others).toEqual([]);
    expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
    expect(responses.find((response) => response.status === 429)?.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});
