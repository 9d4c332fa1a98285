import { startGatewayInProcess, type GatewayInProcess } from './support';
import { staffTokenMinter } from './staff-tokens';

// Per-key rate limits on the gateway in-process (real PostgreSQL): the counter is a row per key
// and window in the database, so every instance counts against the same limit.

const LIMIT = 10;
const WINDOW_S = 3_600;

describe('api-gateway per-key rate limits (in-process, real infrastructure)', () => {
  let gateway: GatewayInProcess;
  let admin: string;

  beforeAll(async () => {
    const staff = await staffTokenMinter();
    gateway = await startGatewayInProcess({ suiteName: 'gateway-rate', settings: { staffTokens: staff.settings, keyRateLimit: { requestsPerWindow: LIMIT, window_s: WINDOW_S } } });
    admin = await staff.mint({ sub: 'rate-admin', roles: ['platform-admin'] });
    await fetch(`${gateway.baseUrl}/v1/merchants`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ id: 'rate-m', name: 'rate', defaultCurrency: 'EUR' }) });
    // Not across a window boundary: the burst below must land in one window.
    const intoWindow_ms = Date.now() % (WINDOW_S * 1000);
    if (WINDOW_S * 1000 - intoWindow_ms < 15_000) await new Promise((resolve) => setTimeout(resolve, WINDOW_S * 1000 - intoWindow_ms + 100));
  });

  afterAll(async () => {
    await gateway?.close();
  });

  async function newKey(): Promise<{ id: string; key: string }> {
    const response = await fetch(`${gateway.baseUrl}/v1/api-keys`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'txn-merchant': 'rate-m', 'content-type': 'application/json' }, body: JSON.stringify({ name: 'rate', role: 'developer' }) });
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string; key: string };
  }

  const me = (key: string): Promise<Response> => fetch(`${gateway.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${key}` } });

  it('lets exactly the limit through a concurrent burst, then answers 429 problem+json with Retry-After; other keys and staff are unaffected', async () => {
    const { key } = await newKey();
    const responses = await Promise.all(Array.from({ length: 25 }, () => me(key)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(25 - LIMIT);
    const limited = responses.find((response) => response.status === 429);
    const retryAfter = Number(limited?.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_S);
    expect(limited?.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await limited?.json()).toMatchObject({ type: '/problems/rate-limited', status: 429, limit: LIMIT, retryAfter_s: retryAfter });
    for (const response of responses) if (!response.bodyUsed) await response.arrayBuffer();

    const other = await newKey();
    expect((await me(other.key)).status).toBe(200);
    expect((await fetch(`${gateway.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${admin}` } })).status).toBe(200);
  });

  it('counts what another instance counted: the window is a database row, not this process\u2019s memory', async () => {
    const { id, key } = await newKey();
    expect((await me(key)).status).toBe(200);
    // Another instance's requests in this window, as it would have written them.
    await gateway.pool.query('UPDATE api_key_rate_windows SET requests = requests + $2 WHERE key_id = $1', [id, LIMIT - 1]);
    const response = await me(key);
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // One row per key and window.
    expect((await gateway.pool.query('SELECT requests FROM api_key_rate_windows WHERE key_id = $1', [id])).rows).toEqual([{ requests: LIMIT + 1 }]);
  });
});
