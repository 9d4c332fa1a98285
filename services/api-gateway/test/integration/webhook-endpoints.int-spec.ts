import { randomUUID } from 'node:crypto';
import { WebhookEndpointAutoDisabled } from '@txn/contracts';
import { waitFor } from '@txn/testing';
import { endpointSecret, MAX_ENDPOINTS_PER_MERCHANT } from '../../src/webhooks/endpoint-rules';
import { startGatewayInProcess, type GatewayInProcess } from './support';
import { staffTokenMinter } from './staff-tokens';

// Merchants' webhook endpoints over real HTTP on the gateway in-process (real PostgreSQL, Kafka and
// registry): stored with no secret, the secret derived and shown once, every change announced.

const SIGNING_KEY = 'suite-webhook-signing-key-0123456789';
const WAIT_MS = 15_000;

describe('api-gateway webhook endpoints (in-process, real infrastructure)', () => {
  let gateway: GatewayInProcess;
  let owner: string;
  let other: string;

  async function call(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    const response = await fetch(`${gateway.baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  beforeAll(async () => {
    const staff = await staffTokenMinter();
    gateway = await startGatewayInProcess({ suiteName: 'gateway-webhook-endpoints', settings: { staffTokens: staff.settings, webhookSigningKey: SIGNING_KEY }, read: ['security.events.v1'] });
    const admin = await staff.mint({ sub: 'root', roles: ['platform-admin'] });
    for (const id of ['hooks-a', 'hooks-b']) expect((await call('POST', '/v1/merchants', admin, { id, name: id, defaultCurrency: 'EUR' })).status).toBe(201);
    owner = await staff.mint({ sub: 'olga', roles: ['owner'], merchant: 'hooks-a' });
    other = await staff.mint({ sub: 'otto', roles: ['owner'], merchant: 'hooks-b' });
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
  });

  it('stores an endpoint without its secret, shows the derived secret once, rotates it with an overlap, disables and enables it, and announces every change without a secret', async () => {
    const created = await call('POST', '/v1/webhook-endpoints', owner, { url: 'https://merchant.example/hooks', eventTypes: ['BookingConfirmed', 'PaymentRefunded'], description: 'production' });
    expect(created).toMatchObject({ status: 201, body: { status: 'ENABLED', secretVersion: 1, eventTypes: ['BookingConfirmed', 'PaymentRefunded'], createdBy: 'staff:olga', previousSecretValidUntil: null } });
    const id = String(created.body['id']);
    expect(created.body['secret']).toBe(endpointSecret(SIGNING_KEY, id, 1));
    const read = await call('GET', `/v1/webhook-endpoints/${id}`, owner);
    expect(read.body).not.toHaveProperty('secret');
    const [row] = await gateway.pool.query<Record<string, unknown>>('SELECT * FROM webhook_endpoints WHERE id = $1', [id]).then((result) => result.rows);
    expect(JSON.stringify(row)).not.toContain(String(created.body['secret']).slice(6));

    const rotated = await call('POST', `/v1/webhook-endpoints/${id}/rotate-secret`, owner);
    expect(rotated).toMatchObject({ status: 200, body: { secretVersion: 2, secret: endpointSecret(SIGNING_KEY, id, 2) } });
    const overlap_ms = Date.parse(String(rotated.body['previousSecretValidUntil'])) - Date.now();
    expect(overlap_ms).toBeGreaterThan(23 * 3_600_000);
    expect((await call('POST', `/v1/webhook-endpoints/${id}/disable`, owner)).body['status']).toBe('DISABLED');
    expect((await call('POST', `/v1/webhook-endpoints/${id}/disable`, owner)).body['status']).toBe('DISABLED');
    expect((await call('POST', `/v1/webhook-endpoints/${id}/enable`, owner)).body['status']).toBe('ENABLED');

    const changes = (): string[] => gateway.seen.filter((record) => record.eventType === 'WebhookEndpointChanged' && record.value['endpointId'] === id).map((record) => String(record.value['change']));
    await waitFor('four changes on security.events.v1', async () => (changes().length >= 4 ? true : undefined), WAIT_MS);
    // Disabling twice is one change.
    expect(changes()).toEqual(['CREATED', 'SECRET_ROTATED', 'DISABLED', 'ENABLED']);
    const announced = JSON.stringify(gateway.seen.filter((record) => record.value['endpointId'] === id).map((record) => record.value), (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
    expect(announced).not.toContain('whsec_');
  });

  it('marks an endpoint the notification service stopped (failing too long) DISABLED by it, announced; the merchant enables it again', async () => {
    const created = await call('POST', '/v1/webhook-endpoints', owner, { url: 'https://merchant.example/failing', eventTypes: ['*'] });
    const id = String(created.body['id']);
    const stopped: WebhookEndpointAutoDisabled = {
      envelope: { eventId: randomUUID(), eventType: 'WebhookEndpointAutoDisabled', occurredAt: new Date(), producer: 'notification', aggregateId: id, aggregateVersion: 1n, correlationId: id, causationId: null, actor: { type: 'SERVICE', id: 'notification' }, tenantId: 'hooks-a' },
      endpointId: id,
      merchantId: 'hooks-a',
      failingSince: new Date(Date.now() - 3 * 24 * 3_600_000),
      heldDeliveries: 4n,
      lastError: 'HTTP 503',
    };
    await gateway.sender.send(WebhookEndpointAutoDisabled, stopped, id);
    await gateway.sender.send(WebhookEndpointAutoDisabled, stopped, id); // read twice: one change
    const disabled = await waitFor('the endpoint DISABLED', async () => {
      const read = await call('GET', `/v1/webhook-endpoints/${id}`, owner);
      return read.body['status'] === 'DISABLED' ? read.body : undefined;
    }, WAIT_MS);
    expect(disabled).toMatchObject({ updatedBy: 'service:notification' });
    expect((await call('POST', `/v1/webhook-endpoints/${id}/enable`, owner)).body['status']).toBe('ENABLED');
    const changes = (): unknown[] => gateway.seen.filter((record) => record.eventType === 'WebhookEndpointChanged' && record.value['endpointId'] === id).map((record) => [record.value['change'], record.value['changedBy'], record.value.envelope.actor.id]);
    await waitFor('three changes', async () => (changes().length >= 3 ? true : undefined), WAIT_MS);
    expect(changes()).toEqual([['CREATED', 'staff:olga', 'staff:olga'], ['DISABLED', 'service:notification', 'notification'], ['ENABLED', 'staff:olga', 'staff:olga']]);
  });

  it('refuses a URL that is not https (except on loopback), carries credentials or a fragment, and event types that are not deliverable, naming the field', async () => {
    for (const url of ['http://merchant.example/hooks', 'https://user:pw@merchant.example/hooks', 'https://merchant.example/hooks#x', 'not a url']) {
      const answer = await call('POST', '/v1/webhook-endpoints', owner, { url });
      expect({ url, answer }).toMatchObject({ answer: { status: 400, body: { type: '/problems/validation-failed', errors: [expect.objectContaining({ pointer: '/url' })] } } });
    }
    expect((await call('POST', '/v1/webhook-endpoints', owner, { url: 'http://127.0.0.1:9999/hooks' })).status).toBe(201);
    const unknown = await call('POST', '/v1/webhook-endpoints', owner, { url: 'https://merchant.example/hooks', eventTypes: ['EntryPosted'] });
    expect(unknown).toMatchObject({ status: 400, body: { errors: [expect.objectContaining({ pointer: '/eventTypes', detail: expect.stringContaining('EntryPosted') })] } });
  });

  it("keeps merchants apart (another's endpoint is 404) and bounds how many endpoints a merchant has", async () => {
    const theirs = await call('POST', '/v1/webhook-endpoints', other, { url: 'https://other.example/hooks' });
    expect((await call('GET', `/v1/webhook-endpoints/${String(theirs.body['id'])}`, owner)).status).toBe(404);
    expect((await call('POST', `/v1/webhook-endpoints/${String(theirs.body['id'])}/rotate-secret`, owner)).status).toBe(404);
    expect((await call('GET', `/v1/webhook-endpoints/${randomUUID()}`, owner)).status).toBe(404);
    const answers = await Promise.all(Array.from({ length: MAX_ENDPOINTS_PER_MERCHANT + 2 }, (_unused, index) => call('POST', '/v1/webhook-endpoints', other, { url: `https://other.example/hooks/${index}` })));
    const { rows } = await gateway.pool.query<{ count: string }>("SELECT count(*) FROM webhook_endpoints WHERE merchant_id = 'hooks-b'");
    expect(Number(rows[0]?.count)).toBe(MAX_ENDPOINTS_PER_MERCHANT);
    expect(answers.filter((answer) => answer.status === 409).length).toBe(3);
    expect(answers.find((answer) => answer.status === 409)?.body).toMatchObject({ type: '/problems/conflict', limit: MAX_ENDPOINTS_PER_MERCHANT });
  });
});
