import { randomUUID } from 'node:crypto';
import { createApiClient, isProblem } from '@txn/api-client';
import { issueApiKey } from '../../src/auth/api-key-secret';
import { startGatewayInProcess, type GatewayInProcess } from './support';

// The typed client (libs/api-client, generated from the committed openapi.json) against the
// gateway in-process on the real infrastructure: what the end-to-end tests and the demo build on.

describe('@txn/api-client against the api-gateway (in-process, real infrastructure)', () => {
  let gateway: GatewayInProcess;
  let key: string;

  beforeAll(async () => {
    gateway = await startGatewayInProcess({ suiteName: 'gateway-client' });
    await gateway.pool.query("INSERT INTO merchants (id, name, default_currency) VALUES ('merchant-c', 'merchant-c', 'EUR')");
    const issued = await issueApiKey();
    await gateway.pool.query("INSERT INTO api_keys (id, merchant_id, prefix, secret_hash, name, role, created_by) VALUES ($1, 'merchant-c', $2, $3, 'client', 'developer', 'test')", [randomUUID(), issued.prefix, issued.secretHash]);
    key = issued.key;
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('calls GET /v1/me, POST /v1/bookings (with its Idempotency-Key) and GET /v1/bookings/{id} with typed answers, and replays a retry', async () => {
    const api = createApiClient(`${gateway.baseUrl}/`, key);
    const me = await api.GET('/v1/me');
    expect(me.data).toMatchObject({ kind: 'api_key', merchantId: 'merchant-c', roles: ['developer'] });

    const body = { resourceId: 'room-c1', slot: { startsAt: '2031-01-02T10:00:00.000Z', endsAt: '2031-01-02T11:00:00.000Z' }, price: { amountMinor: 4_200, currency: 'EUR' }, customerId: 'cus_c' };
    const idempotencyKey = randomUUID();
    const created = await api.POST('/v1/bookings', { body, params: { header: { 'Idempotency-Key': idempotencyKey } } });
    expect(created.response.status).toBe(202);
    const id = created.data?.id ?? '';
    expect(created.data).toMatchObject({ status: 'REQUESTED', price: { amountMinor: 4_200, currency: 'EUR' } });

    const got = await api.GET('/v1/bookings/{id}', { params: { path: { id } } });
    expect(got.data).toMatchObject({ id, status: 'REQUESTED' });

    const retried = await api.POST('/v1/bookings', { body, params: { header: { 'Idempotency-Key': idempotencyKey } } });
    expect(retried.response.headers.get('idempotent-replayed')).toBe('true');
    expect(retried.data?.id).toBe(id);
  });

  it('hands back problems as typed errors', async () => {
    const api = createApiClient(gateway.baseUrl, key);
    const body = { resourceId: 'room-c2', slot: { startsAt: '2031-01-02T10:00:00.000Z', endsAt: '2031-01-02T11:00:00.000Z' }, price: { amountMinor: 100, currency: 'EUR' }, customerId: 'cus_c' };
    const idempotencyKey = randomUUID();
    await api.POST('/v1/bookings', { body, params: { header: { 'Idempotency-Key': idempotencyKey } } });
    const reused = await api.POST('/v1/bookings', { body: { ...body, customerId: 'cus_other' }, params: { header: { 'Idempotency-Key': idempotencyKey } } });
    expect(reused.response.status).toBe(422);
    expect(isProblem(reused.error) ? reused.error.type : undefined).toBe('/problems/idempotency-key-reused');
    const refused = await createApiClient(gateway.baseUrl, 'txn_sk_aaaaaaaaaaaa_' + 'A'.repeat(43)).GET('/v1/me');
    expect(refused.response.status).toBe(401);
    expect(isProblem(refused.error)).toBe(true);
  });
});
