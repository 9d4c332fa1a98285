import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { issueApiKey } from '../../src/auth/api-key-secret';
import { pruneIdempotencyRecords } from '../../src/idempotency/idempotency-pruner';
import { IdempotencyProbeController, probeExecutions } from './idempotency-probe.controller';
import { FLOW_TIMEOUT_MS, startGatewayInProcess, type GatewayInProcess } from './support';

// Idempotency (decision 0026) on the gateway in-process against the real PostgreSQL and Kafka,
// through a probe route that sends a real RequestBooking through the outbox like the booking
// routes. The RequestBookings are read back from the suite's booking.commands topic.

const CONCURRENT = 24;

describe('api-gateway idempotency (in-process, real infrastructure)', () => {
  let gateway: GatewayInProcess;
  let key: string;

  beforeAll(async () => {
    gateway = await startGatewayInProcess({ suiteName: 'gateway-idem', read: ['booking.commands.v1'], controllers: [IdempotencyProbeController] });
    await gateway.pool.query("INSERT INTO merchants (id, name, default_currency) VALUES ('merchant-i', 'merchant-i', 'EUR')");
    const issued = await issueApiKey();
    await gateway.pool.query("INSERT INTO api_keys (id, merchant_id, prefix, secret_hash, name, role, created_by) VALUES ($1, 'merchant-i', $2, $3, 'test key', 'developer', 'test')", [randomUUID(), issued.prefix, issued.secretHash]);
    key = issued.key;
  });

  afterAll(async () => {
    await gateway?.close();
  });

  function post(body: unknown, idempotencyKey?: string): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
    return fetch(`${gateway.baseUrl}/v1/idempotency-probe`, { method: 'POST', headers, body: JSON.stringify(body) });
  }

  function commandsFor(resourceId: string): number {
    return gateway.seen.filter((record) => record.eventType === 'RequestBooking' && (record.value['slot'] as { resourceId?: string } | undefined)?.resourceId === resourceId).length;
  }

  async function settle(resourceId: string, expected: number): Promise<void> {
    const deadline = Date.now() + FLOW_TIMEOUT_MS;
    while (commandsFor(resourceId) < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    // Past the first arrival, wait a little longer: a second command would arrive about as fast.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  }

  it(`runs ${CONCURRENT} concurrent identical requests once: one 202, 409 request-in-progress while it runs (then the 202 replayed); exactly one RequestBooking reaches Kafka`, async () => {
    const resourceId = `room-${randomUUID()}`;
    const idempotencyKey = randomUUID();
    const before = probeExecutions.count;
    // The handler takes 2 s: requests arriving meanwhile must get 409; any arriving after it (a loaded machine) get the replay.
    const responses = await Promise.all(Array.from({ length: CONCURRENT }, () => post({ resourceId, amountMinor: 1250, delay_ms: 2_000 }, idempotencyKey)));
    const answers = await Promise.all(responses.map(async (response) => ({ status: response.status, replayed: response.headers.get('idempotent-replayed') === 'true', type: response.headers.get('content-type'), text: await response.text() })));
    const first = answers.filter((answer) => answer.status === 202 && !answer.replayed);
    expect(first).toHaveLength(1);
    const conflicts = answers.filter((answer) => answer.status === 409);
    expect(conflicts.length).toBeGreaterThan(0);
    for (const conflict of conflicts) {
      expect(conflict.type).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(conflict.text)).toMatchObject({ type: '/problems/request-in-progress', status: 409 });
    }
    for (const answer of answers.filter((candidate) => candidate.status !== 409 && candidate !== first[0])) expect(answer).toEqual({ ...first[0], replayed: true });
    expect(probeExecutions.count - before).toBe(1);
    await settle(resourceId, 1);
    expect(commandsFor(resourceId)).toBe(1);
  });

  it('replays the first response (status, body, Location) with Idempotent-Replayed: true for the same body in another member order, and never runs again', async () => {
    const resourceId = `room-${randomUUID()}`;
    const idempotencyKey = randomUUID();
    const first = await post({ resourceId, amountMinor: 990 }, idempotencyKey);
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const firstBody = await first.text();
    const before = probeExecutions.count;
    const again = await post({ amountMinor: 990, resourceId }, idempotencyKey);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(await again.text()).toBe(firstBody);
    expect(probeExecutions.count).toBe(before);
    await settle(resourceId, 1);
    expect(commandsFor(resourceId)).toBe(1);
  });

  it('answers the same key with another body 422 idempotency-key-reused, and keeps the first outcome', async () => {
    const idempotencyKey = randomUUID();
    expect((await post({ resourceId: 'room-a', amountMinor: 100 }, idempotencyKey)).status).toBe(202);
    const reused = await post({ resourceId: 'room-a', amountMinor: 101 }, idempotencyKey);
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ type: '/problems/idempotency-key-reused', status: 422 });
    expect((await post({ resourceId: 'room-a', amountMinor: 100 }, idempotencyKey)).headers.get('idempotent-replayed')).toBe('true');
  });

  it('refuses a missing key on a required route (428) and a malformed one (400), before anything runs', async () => {
    const before = probeExecutions.count;
    const missing = await post({ resourceId: 'room-b', amountMinor: 1 });
    expect(missing.status).toBe(428);
    expect(await missing.json()).toMatchObject({ type: '/problems/idempotency-key-required', status: 428 });
    for (const bad of ['a'.repeat(256), 'has space', 'é']) {
      const response = await fetch(`${gateway.baseUrl}/v1/idempotency-probe`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': bad }, body: '{}' }).catch(() => undefined);
      if (response !== undefined) expect(response.status).toBe(400);
    }
    expect(probeExecutions.count).toBe(before);
  });

  it('gives the key back when the body is refused (400): the corrected request with the same key runs', async () => {
    const idempotencyKey = randomUUID();
    const refused = await post({ resourceId: 'room-c', amountMinor: -5 }, idempotencyKey);
    expect(refused.status).toBe(400);
    const corrected = await post({ resourceId: 'room-c', amountMinor: 5 }, idempotencyKey);
    expect(corrected.status).toBe(202);
    expect(corrected.headers.get('idempotent-replayed')).toBeNull();
  });

  it("records the server's own 500 and replays it: the request is not run again under its key", async () => {
    const idempotencyKey = randomUUID();
    const first = await post({ resourceId: 'room-d', amountMinor: 5, fail: 'before-write' }, idempotencyKey);
    expect(first.status).toBe(500);
    const firstBody = await first.text();
    expect(JSON.parse(firstBody)).toMatchObject({ type: '/problems/internal', status: 500 });
    expect(firstBody).not.toContain('probe failure');
    const before = probeExecutions.count;
    const again = await post({ resourceId: 'room-d', amountMinor: 5, fail: 'before-write' }, idempotencyKey);
    expect(again.status).toBe(500);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.text()).toBe(firstBody);
    expect(probeExecutions.count).toBe(before);
  });

  it('takes over a claim whose process died before executing (lease over), and never re-runs one that executed but lost its response', async () => {
    const hash = async (body: unknown): Promise<string> => {
      const { requestHash } = await import('../../src/idempotency/idempotency-rules');
      return requestHash('POST', '/v1/idempotency-probe', body);
    };
    const deadBody = { resourceId: `room-${randomUUID()}`, amountMinor: 7 };
    const lostBody = { resourceId: `room-${randomUUID()}`, amountMinor: 8 };
    const insert = "INSERT INTO idempotency_records (merchant_id, idempotency_key, request_hash, method, path, state, claim_token, lease_until, expires_at) VALUES ('merchant-i', $1, $2, 'POST', '/v1/idempotency-probe', $3, $4, now() - interval '1 second', now() + interval '1 day')";
    await gateway.pool.query(insert, ['dead-claim', await hash(deadBody), 'claimed', randomUUID()]);
    await gateway.pool.query(insert, ['lost-outcome', await hash(lostBody), 'executed', randomUUID()]);
    const before = probeExecutions.count;
    const takenOver = await post(deadBody, 'dead-claim');
    expect(takenOver.status).toBe(202);
    expect(probeExecutions.count).toBe(before + 1);
    const lost = await post(lostBody, 'lost-outcome');
    expect(lost.status).toBe(500);
    expect(await lost.json()).toMatchObject({ type: '/problems/internal', carriedOut: true });
    expect(probeExecutions.count).toBe(before + 1);
    await settle(lostBody.resourceId, 0);
    expect(commandsFor(lostBody.resourceId)).toBe(0);
  });

  it(`POST /v1/bookings: ${CONCURRENT} concurrent identical requests make one booking and exactly one RequestBooking on Kafka; every other answer is 409 or the same 202 replayed`, async () => {
    const resourceId = `room-${randomUUID()}`;
    const body = { resourceId, slot: { startsAt: '2031-01-02T10:00:00.000Z', endsAt: '2031-01-02T11:00:00.000Z' }, price: { amountMinor: 12_500, currency: 'EUR' }, customerId: 'cus_1' };
    const idempotencyKey = randomUUID();
    const send = (): Promise<Response> => fetch(`${gateway.baseUrl}/v1/bookings`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey }, body: JSON.stringify(body) });
    const responses = await Promise.all(Array.from({ length: CONCURRENT }, send));
    const answers = await Promise.all(responses.map(async (response) => ({ status: response.status, replayed: response.headers.get('idempotent-replayed') === 'true', location: response.headers.get('location'), text: await response.text() })));
    const first = answers.filter((answer) => answer.status === 202 && !answer.replayed);
    expect(first).toHaveLength(1);
    for (const answer of answers.filter((candidate) => candidate !== first[0])) {
      if (answer.status === 202) expect(answer).toEqual({ ...first[0], replayed: true });
      else expect(answer.status).toBe(409);
    }
    const views = await gateway.pool.query<{ booking_id: string }>('SELECT booking_id FROM booking_views WHERE resource_id = $1', [resourceId]);
    expect(views.rows).toHaveLength(1);
    expect(first[0]?.location).toBe(`/v1/bookings/${views.rows[0]?.booking_id}`);
    await settle(resourceId, 1);
    expect(commandsFor(resourceId)).toBe(1);
    const replay = await send();
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.text()).toBe(first[0]?.text);
  });

  it('POST /v1/bookings requires an Idempotency-Key (428) and refuses the same key with another body (422)', async () => {
    const body = { resourceId: 'room-k', slot: { startsAt: '2031-01-02T10:00:00.000Z', endsAt: '2031-01-02T11:00:00.000Z' }, price: { amountMinor: 100, currency: 'EUR' }, customerId: 'cus_1' };
    const send = (payload: unknown, idempotencyKey?: string): Promise<Response> =>
      fetch(`${gateway.baseUrl}/v1/bookings`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }) }, body: JSON.stringify(payload) });
    expect((await send(body)).status).toBe(428);
    const idempotencyKey = randomUUID();
    expect((await send(body, idempotencyKey)).status).toBe(202);
    const reused = await send({ ...body, price: { amountMinor: 101, currency: 'EUR' } }, idempotencyKey);
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ type: '/problems/idempotency-key-reused' });
  });

  it('prunes records past their retention (and past their lease) in bounded batches, in platform scope, as the runtime role', async () => {
    const old = "INSERT INTO idempotency_records (merchant_id, idempotency_key, request_hash, method, path, state, claim_token, lease_until, expires_at) VALUES ('merchant-i', $1, $2, 'POST', '/x', 'claimed', $3, $4, $5)";
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 3_600_000);
    for (let index = 0; index < 5; index += 1) await gateway.pool.query(old, [`expired-${index}`, 'c'.repeat(64), randomUUID(), past, past]);
    await gateway.pool.query(old, ['leased', 'c'.repeat(64), randomUUID(), future, past]);
    await gateway.pool.query(old, ['kept', 'c'.repeat(64), randomUUID(), past, future]);
    const dataSource = gateway.service.app.get(DataSource);
    expect(await pruneIdempotencyRecords(dataSource, 3)).toBe(3);
    expect(await pruneIdempotencyRecords(dataSource, 3)).toBe(2);
    expect(await pruneIdempotencyRecords(dataSource, 3)).toBe(0);
    const left = await gateway.pool.query<{ idempotency_key: string }>("SELECT idempotency_key FROM idempotency_records WHERE idempotency_key IN ('leased', 'kept') OR idempotency_key LIKE 'expired-%' ORDER BY 1");
    expect(left.rows.map((row) => row.idempotency_key)).toEqual(['kept', 'leased']);
  });
});
