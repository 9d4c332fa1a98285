import { randomUUID } from 'node:crypto';
import { issueApiKey } from '../../src/auth/api-key-secret';
import { SCOPE_TRANSACTION_SQL } from '../../src/persistence/tenant-transactions';
import { startGatewayInProcess, type GatewayInProcess } from './support';

// API keys and tenant isolation on the gateway in-process (real PostgreSQL, Kafka, registry).

describe('api-gateway API keys and row-level security (in-process, real infrastructure)', () => {
  let gateway: GatewayInProcess;

  beforeAll(async () => {
    gateway = await startGatewayInProcess({ suiteName: 'gateway-keys' });
    for (const merchant of ['merchant-a', 'merchant-b']) await gateway.pool.query("INSERT INTO merchants (id, name, default_currency) VALUES ($1, $1, 'EUR')", [merchant]);
  });

  afterAll(async () => {
    await gateway?.close();
  });

  /** A key written as the key routes write it; returns the whole key, shown once. */
  async function keyFor(merchantId: string, role: string, options: { scopes?: string[]; expiresAt?: Date } = {}): Promise<{ id: string; key: string }> {
    const issued = await issueApiKey();
    const id = randomUUID();
    await gateway.pool.query('INSERT INTO api_keys (id, merchant_id, prefix, secret_hash, name, role, scopes, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
      id,
      merchantId,
      issued.prefix,
      issued.secretHash,
      'test key',
      role,
      options.scopes ?? [],
      'test',
      options.expiresAt ?? null,
    ]);
    return { id, key: issued.key };
  }

  const me = (key?: string): Promise<Response> => fetch(`${gateway.baseUrl}/v1/me`, key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } });

  it('answers 401 problem+json with WWW-Authenticate without a credential, and for a key that is not ours', async () => {
    for (const response of [await me(), await me('txn_sk_abcdefghijkl_' + 'A'.repeat(43)), await me('not-a-key')]) {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="txn"');
      expect(await response.json()).toEqual({ type: '/problems/unauthenticated', title: 'Authentication is required', status: 401, detail: expect.any(String) });
    }
  });

  it("accepts a merchant's key: its merchant, role and the role's permissions narrowed by the key's scopes; records when it was last used", async () => {
    const { id, key } = await keyFor('merchant-a', 'developer', { scopes: ['bookings:read', 'bookings:write', 'payments:refund'] });
    const response = await me(key);
    expect(response.status).toBe(200);
    // payments:refund is not the developer's to give: a scope never widens the role.
    expect(await response.json()).toEqual({ kind: 'api_key', id, merchantId: 'merchant-a', roles: ['developer'], permissions: ['bookings:read', 'bookings:write'] });
    const used = await gateway.pool.query<{ last_used_at: Date | null }>('SELECT last_used_at FROM api_keys WHERE id = $1', [id]);
    expect(used.rows[0]?.last_used_at).toBeInstanceOf(Date);
  });

  it('refuses a key with the right prefix and a wrong secret, an expired key, and a revoked key at once (even one verified a moment ago)', async () => {
    const good = await keyFor('merchant-a', 'owner');
    const forged = good.key.slice(0, -4) + (good.key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await me(forged)).status).toBe(401);

    const expired = await keyFor('merchant-a', 'owner', { expiresAt: new Date(Date.now() + 1_500) });
    expect((await me(expired.key)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    expect((await me(expired.key)).status).toBe(401);

    expect((await me(good.key)).status).toBe(200);
    await gateway.pool.query("UPDATE api_keys SET revoked_at = now(), revoked_by = 'test' WHERE id = $1", [good.id]);
    expect((await me(good.key)).status).toBe(401);
  });

  it("binds the service's own role by row-level security: a transaction scoped to one merchant sees none of another's rows, even with no filter", async () => {
    await keyFor('merchant-b', 'owner');
    const client = await gateway.service.dependencies.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(SCOPE_TRANSACTION_SQL, ['merchant-a', 'off']);
      const seen = await client.query<{ merchant_id: string }>('SELECT DISTINCT merchant_id FROM api_keys');
      expect(seen.rows.map((row) => row.merchant_id)).toEqual(['merchant-a']);
      // Writing another tenant's row is refused by the policy's WITH CHECK.
      await expect(client.query("UPDATE merchants SET name = 'stolen' WHERE id = 'merchant-b'")).resolves.toMatchObject({ rowCount: 0 });
      await expect(client.query("INSERT INTO merchants (id, name, default_currency) VALUES ('merchant-c', 'c', 'EUR')")).rejects.toMatchObject({ code: '42501' });
      await client.query('ROLLBACK');
      // Unscoped, the role sees nothing at all.
      expect((await client.query('SELECT count(*)::int AS n FROM api_keys')).rows[0]).toEqual({ n: 0 });
    } finally {
      client.release();
    }
  });
});
