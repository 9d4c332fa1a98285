import { randomUUID } from 'node:crypto';
import { ResourceRegistered } from '@txn/contracts';
import { waitFor } from '@txn/testing';
import { issueApiKey } from '../../src/auth/api-key-secret';
import { FLOW_TIMEOUT_MS, startGatewayInProcess, type GatewayInProcess } from './support';

// Bookable resources through the API, on the gateway in-process (real PostgreSQL, Kafka,
// registry): POST sends RegisterResource to booking and shows REQUESTED; booking's
// ResourceRegistered (sent here as booking would) makes it REGISTERED.

describe('api-gateway resources (in-process, real infrastructure)', () => {
  let gateway: GatewayInProcess;
  let key: string;
  let otherKey: string;

  beforeAll(async () => {
    gateway = await startGatewayInProcess({ suiteName: 'gateway-resources', read: ['booking.commands.v1'] });
    const keyOf = async (merchant: string): Promise<string> => {
      await gateway.pool.query("INSERT INTO merchants (id, name, default_currency) VALUES ($1, $1, 'EUR')", [merchant]);
      const issued = await issueApiKey();
      await gateway.pool.query("INSERT INTO api_keys (id, merchant_id, prefix, secret_hash, name, role, created_by) VALUES ($1, $2, $3, $4, 'test', 'developer', 'test')", [randomUUID(), merchant, issued.prefix, issued.secretHash]);
      return issued.key;
    };
    key = await keyOf('merchant-r1');
    otherKey = await keyOf('merchant-r2');
  });

  afterAll(async () => {
    await gateway?.close();
  });

  const call = (credential: string, method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${gateway.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  it('registers a resource: 202 REQUESTED with a Location and RegisterResource on the topic; REGISTERED once booking says so', async () => {
    const response = await call(key, 'POST', '/v1/resources', { resourceId: 'court-1', name: ' Court 1 ' });
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe('/v1/resources/court-1');
    expect(await response.json()).toMatchObject({ id: 'court-1', name: 'Court 1', status: 'REQUESTED', requestedName: 'Court 1' });
    const command = await waitFor('RegisterResource on booking.commands', () => gateway.seen.find((record) => record.eventType === 'RegisterResource' && record.value.resourceId === 'court-1'), FLOW_TIMEOUT_MS);
    expect(command.key).toBe('court-1');
    expect(command.value).toMatchObject({ name: 'Court 1', envelope: { tenantId: 'merchant-r1', actor: { type: 'API_KEY' }, producer: 'api-gateway' } });

    const registered: ResourceRegistered = {
      envelope: { ...command.value.envelope, eventId: randomUUID(), eventType: 'ResourceRegistered', producer: 'booking', aggregateVersion: 1n, occurredAt: new Date(), causationId: command.value.envelope.eventId },
      resourceId: 'court-1',
      name: 'Court 1',
      created: true,
    };
    await gateway.sender.send(ResourceRegistered, registered, 'court-1');
    const shown = await waitFor(
      'the resource REGISTERED',
      async () => {
        const body = (await (await call(key, 'GET', '/v1/resources/court-1')).json()) as { status?: string };
        return body.status === 'REGISTERED' ? body : undefined;
      },
      FLOW_TIMEOUT_MS,
    );
    expect(shown).toMatchObject({ id: 'court-1', name: 'Court 1', status: 'REGISTERED', requestedName: null, lastEventAt: expect.any(String) });
    const list = (await (await call(key, 'GET', '/v1/resources')).json()) as { data: { id: string }[] };
    expect(list.data.map((resource) => resource.id)).toEqual(['court-1']);
  });

  it("never shows another merchant's resource (404), and refuses a bad id or name with a field error", async () => {
    expect((await call(key, 'POST', '/v1/resources', { resourceId: 'room-secret', name: 'Secret' })).status).toBe(202);
    const other = await call(otherKey, 'GET', '/v1/resources/room-secret');
    expect(other.status).toBe(404);
    expect(((await (await call(otherKey, 'GET', '/v1/resources')).json()) as { data: unknown[] }).data).toEqual([]);
    const bad = await call(key, 'POST', '/v1/resources', { resourceId: "room'1", name: '', extra: true });
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { errors: { pointer: string }[] };
    expect(problem.errors.map((error) => error.pointer).sort()).toEqual(['/extra', '/name', '/resourceId']);
  });
});
