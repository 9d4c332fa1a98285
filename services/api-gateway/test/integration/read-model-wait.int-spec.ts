import { randomUUID } from 'node:crypto';
import { BookingHeld } from '@txn/contracts';
import { Client } from 'pg';
import { testEnvironment, waitFor } from '@txn/testing';
import { issueApiKey } from '../../src/auth/api-key-secret';
import { FALLBACK_REREAD_MS } from '../../src/http/prefer-wait';
import { changeKey, READ_MODEL_CHANNEL } from '../../src/read-models/changes-channel';
import { ReadModelEvents } from './read-model-events';
import { FLOW_TIMEOUT_MS, startGatewayInProcess, type GatewayInProcess } from './support';

// Prefer: wait across instances and across a lost LISTEN connection (real PostgreSQL and Kafka):
// a change committed by another connection (as another gateway instance's consumer would) wakes
// the waiting request at once; with the listening connection killed, a waiting request still
// answers (by its bounded re-read) and the listener comes back.

jest.setTimeout(60_000);

const MERCHANT = 'merchant-wait';

describe('api-gateway Prefer: wait over LISTEN/NOTIFY (in-process, real infrastructure)', () => {
  let gateway: GatewayInProcess;
  let key: string;
  const events = new ReadModelEvents(MERCHANT);

  const listeners = async (): Promise<number[]> =>
    (await gateway.pool.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'api-gateway-listen'")).rows.map((row) => row.pid);

  async function requested(): Promise<string> {
    const response = await fetch(`${gateway.baseUrl}/v1/bookings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ resourceId: 'room-1', slot: { startsAt: '2031-03-01T10:00:00Z', endsAt: '2031-03-01T11:00:00Z' }, price: { amountMinor: 5_000, currency: 'EUR' }, customerId: 'cus_w' }),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
  }

  async function waitingGet(bookingId: string, wait_s: number): Promise<{ status: string; version: number; elapsed_ms: number }> {
    const started = Date.now();
    const response = await fetch(`${gateway.baseUrl}/v1/bookings/${bookingId}?afterVersion=0`, { headers: { authorization: `Bearer ${key}`, prefer: `wait=${wait_s}` } });
    const body = (await response.json()) as { status: string; freshness: { version: number } };
    return { status: body.status, version: body.freshness.version, elapsed_ms: Date.now() - started };
  }

  beforeAll(async () => {
    gateway = await startGatewayInProcess({ suiteName: 'gateway-wait' });
    await gateway.pool.query("INSERT INTO merchants (id, name, default_currency) VALUES ($1, $1, 'EUR')", [MERCHANT]);
    const issued = await issueApiKey();
    await gateway.pool.query('INSERT INTO api_keys (id, merchant_id, prefix, secret_hash, name, role, scopes, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [randomUUID(), MERCHANT, issued.prefix, issued.secretHash, 'suite', 'support', [], 'suite']);
    key = issued.key;
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('holds one listening connection, and is woken by a change another connection commits (another instance)', async () => {
    expect(await listeners()).toHaveLength(1);
    const bookingId = await requested();
    const waiting = waitingGet(bookingId, 20);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const client = await gateway.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("UPDATE booking_views SET status = 'HELD', version = 1, last_event_type = 'BookingHeld', last_event_at = now() WHERE merchant_id = $1 AND booking_id = $2", [MERCHANT, bookingId]);
      await client.query('SELECT pg_notify($1, $2)', [READ_MODEL_CHANNEL, `${changeKey('booking', MERCHANT, bookingId)}|1`]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const answer = await waiting;
    expect(answer).toMatchObject({ status: 'HELD', version: 1 });
    // The notification, not the fallback re-read, answered it.
    expect(answer.elapsed_ms).toBeLessThan(FALLBACK_REREAD_MS - 2_000);
  });

  it('answers a waiting request even while the listening connection is gone, and listens again after it is back', async () => {
    const [before] = await listeners();
    // Only the cluster's administrator may end another role's connection.
    const { postgres } = testEnvironment();
    const admin = new Client({ host: postgres.host, port: postgres.port, user: postgres.adminUser, password: postgres.adminPassword, database: 'postgres' });
    await admin.connect();
    try {
      expect((await admin.query<{ ended: boolean }>('SELECT pg_terminate_backend($1) AS ended', [before])).rows[0]).toEqual({ ended: true });
    } finally {
      await admin.end();
    }
    const lostWhileDown = await requested();
    const waiting = waitingGet(lostWhileDown, 20);
    await gateway.sender.send(BookingHeld, events.held(lostWhileDown), lostWhileDown);
    const answer = await waiting;
    expect(answer).toMatchObject({ status: 'HELD', version: 1 });
    expect(answer.elapsed_ms).toBeLessThan(FALLBACK_REREAD_MS + 5_000);

    const after = await waitFor('a new listening connection', async () => {
      const pids = await listeners();
      return pids.length === 1 && pids[0] !== before ? pids : undefined;
    }, FLOW_TIMEOUT_MS);
    expect(after).toHaveLength(1);
    const bookingId = await requested();
    const woken = waitingGet(bookingId, 20);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await gateway.sender.send(BookingHeld, events.held(bookingId), bookingId);
    expect(await woken).toMatchObject({ status: 'HELD', version: 1, elapsed_ms: expect.any(Number) });
    expect((await woken).elapsed_ms).toBeLessThan(FALLBACK_REREAD_MS - 1_000);
  });
});
