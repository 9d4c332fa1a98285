import { generateKeyPair } from 'jose';
import { waitFor } from '@txn/testing';
import { startGatewayInProcess, type GatewayInProcess, type SeenRecord } from './support';
import { staffTokenMinter, type StaffTokenMinter } from './staff-tokens';

// Staff tokens, merchants and API keys over real HTTP on the gateway in-process (real PostgreSQL,
// Kafka, registry), and the security events they cause, read back from the suite's Kafka topic.

describe('api-gateway staff tokens, merchants, API keys and security events (in-process, real infrastructure)', () => {
  let gateway: GatewayInProcess;
  let staff: StaffTokenMinter;
  let admin: string;

  beforeAll(async () => {
    staff = await staffTokenMinter();
    gateway = await startGatewayInProcess({ suiteName: 'gateway-staff', settings: { staffTokens: staff.settings }, read: ['security.events.v1'] });
    admin = await staff.mint({ sub: 'alice', roles: ['platform-admin'] });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  async function call(method: string, path: string, credential: string | undefined, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${gateway.baseUrl}${path}`, {
      method,
      headers: { ...(credential === undefined ? {} : { authorization: `Bearer ${credential}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  }

  const securityEvents = (eventType: string, where: (record: SeenRecord) => boolean = () => true): SeenRecord[] => gateway.seen.filter((record) => record.eventType === eventType && where(record));

  /** A key made by a platform-admin; an owner key takes four eyes (requested by alice, approved by dave). */
  async function keyFor(merchant: string, role: string, scopes?: string[]): Promise<{ id: string; key: string; prefix: string }> {
    const created = await call('POST', '/v1/api-keys', admin, { name: `${role} key`, role, ...(scopes === undefined ? {} : { scopes }) }, { 'txn-merchant': merchant });
    if (role !== 'owner') {
      expect(created.status).toBe(201);
      return created.body as { id: string; key: string; prefix: string };
    }
    expect(created.status).toBe(202);
    const approver = await staff.mint({ sub: 'dave', roles: ['platform-admin'] });
    const approved = await call('POST', `/v1/approvals/${String(created.body.id)}/approve`, approver, undefined, { 'txn-merchant': merchant });
    expect(approved.status).toBe(200);
    return approved.body.key as { id: string; key: string; prefix: string };
  }

  it('lets a platform-admin create, list and read merchants; the same id twice is a 409; other roles may not', async () => {
    const created = await call('POST', '/v1/merchants', admin, { id: 'staff-m1', name: 'Merchant One', defaultCurrency: 'EUR' });
    expect(created).toEqual({ status: 201, body: { id: 'staff-m1', name: 'Merchant One', defaultCurrency: 'EUR', refundApprovalThresholdMinor: null, createdAt: expect.any(String) } });
    expect((await call('POST', '/v1/merchants', admin, { id: 'staff-m2', name: 'Merchant Two', defaultCurrency: 'JPY' })).status).toBe(201);
    expect(await call('POST', '/v1/merchants', admin, { id: 'staff-m1', name: 'again', defaultCurrency: 'EUR' })).toMatchObject({ status: 409, body: { type: '/problems/conflict', merchantId: 'staff-m1' } });
    expect(await call('POST', '/v1/merchants', admin, { id: 'Bad Id', name: '', defaultCurrency: 'XXX', extra: 1 })).toMatchObject({ status: 400, body: { type: '/problems/validation-failed' } });

    const first = await call('GET', '/v1/merchants?limit=1', admin);
    expect(first.status).toBe(200);
    expect((first.body.data as { id: string }[]).map((m) => m.id)).toEqual(['staff-m2']);
    const second = await call('GET', `/v1/merchants?limit=1&cursor=${String(first.body.nextCursor)}`, admin);
    expect((second.body.data as { id: string }[]).map((m) => m.id)).toEqual(['staff-m1']);
    expect((await call('GET', '/v1/merchants?limit=101', admin)).status).toBe(400);

    const owner = await keyFor('staff-m1', 'owner');
    expect(await call('GET', '/v1/merchants/staff-m1', owner.key)).toMatchObject({ status: 200, body: { id: 'staff-m1' } });
    expect(await call('GET', '/v1/merchants/staff-m2', owner.key)).toMatchObject({ status: 404, body: { type: '/problems/not-found' } });
    expect((await call('GET', '/v1/merchants', owner.key)).status).toBe(403);
    expect((await call('POST', '/v1/merchants', owner.key, { id: 'staff-m3', name: 'x', defaultCurrency: 'EUR' })).status).toBe(403);
  });

  it('creates a key shown once, never above its creator, lists and reads it without its secret, revokes it at once; another merchant\u2019s key is 404', async () => {
    const developer = await keyFor('staff-m1', 'developer');
    expect(developer.key).toMatch(/^txn_sk_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
    expect(await call('POST', '/v1/api-keys', developer.key, { name: 'escalate', role: 'owner' })).toMatchObject({ status: 403, body: { type: '/problems/forbidden', grantableRoles: ['developer', 'support'] } });
    expect(await call('POST', '/v1/api-keys', developer.key, { name: 'wide', role: 'support', scopes: ['payments:refund'] })).toMatchObject({ status: 400, body: { errors: [{ pointer: '/scopes' }] } });
    const expiresAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 365 * 24 * 3_600_000).toISOString();
    expect((await call('POST', '/v1/api-keys', developer.key, { name: 'forever', role: 'support', expiresAt: '2099-01-01T00:00:00Z' })).status).toBe(400);
    const support = await call('POST', '/v1/api-keys', developer.key, { name: 'helpdesk', role: 'support', scopes: ['bookings:read'], expiresAt });
    expect(support).toMatchObject({ status: 201, body: { role: 'support', scopes: ['bookings:read'], createdBy: `api_key:${developer.id}`, expiresAt, key: expect.stringMatching(/^txn_sk_/) } });
    const supportKey = support.body as { id: string; key: string };
    expect(await call('GET', '/v1/me', supportKey.key)).toMatchObject({ status: 200, body: { merchantId: 'staff-m1', roles: ['support'], permissions: ['bookings:read'] } });

    const listed = await call('GET', '/v1/api-keys?limit=100', developer.key);
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toMatch(/txn_sk_|scrypt|secret/);
    expect((listed.body.data as { id: string }[]).map((k) => k.id)).toContain(supportKey.id);
    expect(await call('GET', `/v1/api-keys/${supportKey.id}`, developer.key)).toMatchObject({ status: 200, body: { id: supportKey.id, revokedAt: null } });

    const elsewhere = await keyFor('staff-m2', 'owner');
    for (const [method, path] of [['GET', `/v1/api-keys/${supportKey.id}`], ['POST', `/v1/api-keys/${supportKey.id}/revoke`], ['GET', '/v1/api-keys/not-a-uuid']] as const) {
      expect(await call(method, path, elsewhere.key)).toMatchObject({ status: 404, body: { type: '/problems/not-found' } });
    }
    expect(await call('POST', `/v1/api-keys/${supportKey.id}/revoke`, developer.key)).toMatchObject({ status: 200, body: { revokedAt: expect.any(String), revokedBy: `api_key:${developer.id}` } });
    expect((await call('GET', '/v1/me', supportKey.key)).status).toBe(401);
    // Revoking again changes nothing and writes no second event.
    expect((await call('POST', `/v1/api-keys/${supportKey.id}/revoke`, developer.key)).status).toBe(200);

    await waitFor('ApiKeyCreated and ApiKeyRevoked on security.events.v1', () => (securityEvents('ApiKeyRevoked', (r) => r.value.keyId === supportKey.id).length === 1 && securityEvents('ApiKeyCreated', (r) => r.value.keyId === supportKey.id).length === 1 ? true : undefined), 20_000);
    const [createdEvent] = securityEvents('ApiKeyCreated', (r) => r.value.keyId === supportKey.id);
    expect(createdEvent?.key).toBe('staff-m1');
    expect(createdEvent?.value).toMatchObject({ merchantId: 'staff-m1', role: 'support', scopes: ['bookings:read'], envelope: { tenantId: 'staff-m1', actor: { type: 'API_KEY', id: developer.id } } });
    // The secret is what follows `txn_sk_<12-char prefix>_` (it may itself contain '_': splitting on '_' once tested one letter).
    expect(JSON.stringify(createdEvent?.value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(supportKey.key.slice('txn_sk_'.length + 13));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(securityEvents('ApiKeyRevoked', (r) => r.value.keyId === supportKey.id)).toHaveLength(1);
  });

  it('verifies staff tokens: expired, too long-lived, another audience or key are 401; a merchant user acting for another merchant is 403; a login is one StaffAuthenticated', async () => {
    const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    for (const token of [
      await staff.mint({ sub: 'alice', roles: ['platform-admin'] }, { issuedAgo_s: 700, ttl_s: 600 }),
      await staff.mint({ sub: 'alice', roles: ['platform-admin'] }, { ttl_s: 7_200 }),
      await staff.mint({ sub: 'alice', roles: ['platform-admin'] }, { audience: 'another-api' }),
      await staff.mint({ sub: 'alice', roles: ['platform-admin'] }, { key: stranger.privateKey }),
      await staff.mint({ sub: 'alice', roles: ['root'] }),
    ]) {
      expect(await call('GET', '/v1/me', token)).toMatchObject({ status: 401, body: { type: '/problems/unauthenticated' } });
    }
    const merchantOwner = await staff.mint({ sub: 'bob', roles: ['owner'], merchant: 'staff-m1' });
    expect(await call('GET', '/v1/me', merchantOwner)).toMatchObject({ status: 200, body: { kind: 'staff', id: 'bob', merchantId: 'staff-m1', roles: ['owner'] } });
    expect((await call('GET', '/v1/me', merchantOwner, undefined, { 'txn-merchant': 'staff-m2' })).status).toBe(403);
    expect(await call('GET', '/v1/me', admin, undefined, { 'txn-merchant': 'staff-m2' })).toMatchObject({ status: 200, body: { merchantId: 'staff-m2', roles: ['platform-admin'] } });
    expect((await call('GET', '/v1/me', admin, undefined, { 'txn-merchant': 'Not Valid' })).status).toBe(400);
    // A platform-admin naming a merchant that does not exist cannot create its keys.
    expect((await call('POST', '/v1/api-keys', admin, { name: 'x', role: 'owner' }, { 'txn-merchant': 'no-such-merchant' })).status).toBe(404);

    await waitFor('StaffAuthenticated for bob', () => (securityEvents('StaffAuthenticated', (r) => r.value.subject === 'bob').length > 0 ? true : undefined), 20_000);
    expect(securityEvents('StaffAuthenticated', (r) => r.value.subject === 'bob')).toHaveLength(1);
    expect(securityEvents('StaffAuthenticated', (r) => r.value.subject === 'bob')[0]?.value).toMatchObject({ roles: ['owner'], merchant: 'staff-m1', actingFor: 'staff-m1', envelope: { actor: { type: 'SERVICE', id: 'staff:bob' } } });
    await waitFor('AccessDenied for bob acting for another merchant', () => securityEvents('AccessDenied', (r) => r.value.reason === 'not_platform_admin' && r.value.subject === 'bob')[0]);
  });

  it('writes AccessDenied for refusals with the key prefix, never the secret, and at most one per source and reason per window; the rest are counted', async () => {
    const forged = `txn_sk_zzzzzzzzzzzz_${'A'.repeat(43)}`;
    for (let i = 0; i < 25; i++) expect((await call('GET', '/v1/me', forged)).status).toBe(401);
    const denied = await waitFor('AccessDenied unknown', () => securityEvents('AccessDenied', (r) => r.value.reason === 'unknown')[0]);
    expect(denied.value).toMatchObject({ status: 401, method: 'GET', path: '/v1/me', credentialKind: 'api_key', keyPrefix: 'zzzzzzzzzzzz', sourceAddress: expect.stringMatching(/127\.0\.0\.1/), envelope: { tenantId: '_platform' } });
    expect(JSON.stringify(denied.value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('A'.repeat(43));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(securityEvents('AccessDenied', (r) => r.value.reason === 'unknown')).toHaveLength(1);
    const suppressed = await gateway.service.dependencies.metrics.getSingleMetric('gateway_access_denied_suppressed_total')?.get();
    expect(suppressed?.values.find((v) => v.labels.reason === 'unknown')?.value).toBe(24);

    const support = await keyFor('staff-m1', 'support');
    expect(await call('POST', '/v1/api-keys', support.key, { name: 'x', role: 'support' })).toMatchObject({ status: 403, body: { requiredPermission: 'keys:manage' } });
    // The first 403 of this source (the owner listing merchants, above) got the event; this one, within the window, is counted.
    const forbidden = await waitFor('AccessDenied missing_permission', () => securityEvents('AccessDenied', (r) => r.value.reason === 'missing_permission')[0]);
    expect(forbidden.value).toMatchObject({ status: 403, requiredPermission: 'merchants:manage', credentialKind: 'api_key', envelope: { tenantId: 'staff-m1' } });
    const counted = await gateway.service.dependencies.metrics.getSingleMetric('gateway_access_denied_suppressed_total')?.get();
    expect(counted?.values.find((v) => v.labels.reason === 'missing_permission')?.value).toBeGreaterThanOrEqual(1);
    expect(securityEvents('AccessDenied', (r) => r.value.reason === 'missing_permission')).toHaveLength(1);
  });
  it('four eyes: an owner key asked for by staff is a request that someone else approves (the key then made, once) or refuses, never the requester; expired requests cannot be decided', async () => {
    const asked = await call('POST', '/v1/api-keys', admin, { name: 'ops owner', role: 'owner' }, { 'txn-merchant': 'staff-m1' });
    expect(asked).toMatchObject({ status: 202, body: { operation: 'create_api_key', status: 'PENDING', requestedBy: 'staff:alice', details: { name: 'ops owner', role: 'owner', scopes: [] } } });
    expect(JSON.stringify(asked.body)).not.toContain('txn_sk_');
    const approvalId = String(asked.body.id);
    // The requester cannot approve it, whatever their roles.
    expect(await call('POST', `/v1/approvals/${approvalId}/approve`, admin, undefined, { 'txn-merchant': 'staff-m1' })).toMatchObject({ status: 403, body: { type: '/problems/forbidden' } });
    // Another merchant's people never see it.
    const otherOwner = await keyFor('staff-m2', 'owner');
    expect((await call('POST', `/v1/approvals/${approvalId}/approve`, otherOwner.key)).status).toBe(404);

    const carol = await staff.mint({ sub: 'carol', roles: ['platform-admin'] });
    const approved = await call('POST', `/v1/approvals/${approvalId}/approve`, carol, undefined, { 'txn-merchant': 'staff-m1' });
    expect(approved).toMatchObject({ status: 200, body: { approval: { status: 'APPROVED', decidedBy: 'staff:carol', requestedBy: 'staff:alice' }, key: { role: 'owner', createdBy: 'staff:alice', key: expect.stringMatching(/^txn_sk_/) } } });
    const created = (approved.body.key as { id: string; key: string });
    expect(await call('GET', '/v1/me', created.key)).toMatchObject({ status: 200, body: { roles: ['owner'], merchantId: 'staff-m1' } });
    expect(await call('POST', `/v1/approvals/${approvalId}/refuse`, carol, {}, { 'txn-merchant': 'staff-m1' })).toMatchObject({ status: 409, body: { currentStatus: 'APPROVED' } });

    const second = await call('POST', '/v1/api-keys', admin, { name: 'refused owner', role: 'owner' }, { 'txn-merchant': 'staff-m1' });
    const merchantOwner = await keyFor('staff-m1', 'owner');
    expect(await call('POST', `/v1/approvals/${String(second.body.id)}/refuse`, merchantOwner.key, { reason: 'not ours' })).toMatchObject({ status: 200, body: { status: 'REFUSED', decidedBy: `api_key:${merchantOwner.id}`, decisionReason: 'not ours', resultId: null } });

    const third = await call('POST', '/v1/api-keys', admin, { name: 'late owner', role: 'owner' }, { 'txn-merchant': 'staff-m1' });
    await gateway.pool.query("UPDATE approvals SET requested_at = now() - interval '2 days', expires_at = now() - interval '1 day' WHERE id = $1", [third.body.id]);
    expect(await call('GET', `/v1/approvals/${String(third.body.id)}`, merchantOwner.key)).toMatchObject({ status: 200, body: { status: 'EXPIRED' } });
    expect(await call('POST', `/v1/approvals/${String(third.body.id)}/approve`, carol, undefined, { 'txn-merchant': 'staff-m1' })).toMatchObject({ status: 409, body: { currentStatus: 'EXPIRED' } });

    await waitFor('ApprovalRequested, ApprovalGranted and ApprovalRefused on security.events.v1', () =>
      securityEvents('ApprovalGranted', (r) => r.value.approvalId === approvalId).length === 1 && securityEvents('ApprovalRefused', (r) => r.value.approvalId === second.body.id).length === 1 && securityEvents('ApprovalRequested').length >= 3 ? true : undefined,
    20_000);
    expect(securityEvents('ApprovalGranted', (r) => r.value.approvalId === approvalId)[0]?.value).toMatchObject({ merchantId: 'staff-m1', requestedBy: 'staff:alice', decidedBy: 'staff:carol', resultId: created.id, envelope: { actor: { type: 'SERVICE', id: 'staff:carol' } } });
    expect(securityEvents('ApiKeyCreated', (r) => r.value.keyId === created.id)).toHaveLength(1);
  });
});
