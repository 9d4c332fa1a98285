import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { createSuiteScope, testEnvironment, type SuiteScope } from '@txn/testing';

// Migration 003 on a database that already holds bookings (the running platform's, when booking
// restarts with this code): every live booking gets the deadline of its stage, and the
// constraints that keep "every live saga has a deadline" hold from then on; then migration 005
// moves the HOLD deadlines of the holds already there to the end of their grace. Real PostgreSQL.

const MIGRATIONS = join(__dirname, '..', '..', 'migrations');
const HOUR_MS = 3_600_000;

describe('booking migrations 003 (saga deadlines) and 005 (hold expiry grace) over existing bookings, real PostgreSQL', () => {
  let scope: SuiteScope;
  let pool: Pool;

  beforeAll(async () => {
    const environment = testEnvironment();
    scope = await createSuiteScope('booking-deadline-migration');
    const database = await scope.database('booking');
    const admin = new Client({ host: database.host, port: database.port, database: database.database, user: environment.postgres.adminUser, password: environment.postgres.adminPassword });
    await admin.connect();
    await admin.query('CREATE EXTENSION IF NOT EXISTS btree_gist').finally(() => admin.end());
    pool = new Pool({ ...database, max: 1, connectionTimeoutMillis: 5_000 });
    // Only the bookings table matters here; 002 (inbox and outbox) is code and does not touch it.
    await pool.query(readFileSync(join(MIGRATIONS, '001_bookings.sql'), 'utf8'));
  });

  afterAll(async () => {
    await pool?.end();
    await scope?.dispose();
  });

  it('gives HELD its hold expiry, CONFIRMED its capture or completion deadline by the defaults, terminal bookings none; then refuses a live booking without one', async () => {
    const now = Date.now();
    const startsAt = new Date(now + 48 * HOUR_MS);
    const endsAt = new Date(startsAt.getTime() + HOUR_MS);
    const confirmedAt = new Date(now - 10 * 60_000);
    const holdExpiresAt = new Date(now + 15 * 60_000);
    const ids = { held: randomUUID(), confirmed: randomUUID(), captured: randomUUID(), completed: randomUUID(), cancelled: randomUUID() };
    const insert = (bookingId: string, status: string, offset_h: number, capturedMinor: string | null, updatedAt: Date) =>
      pool.query(
        `INSERT INTO bookings (booking_id, tenant_id, resource_id, starts_at, ends_at, status, version, hold_expires_at, customer_id, price_minor, currency, captured_minor, updated_at)
         VALUES ($1, 'merchant-1', 'room-1', $2, $3, $4, 2, $5, 'c', 100, 'EUR', $6, $7)`,
        [bookingId, new Date(startsAt.getTime() + offset_h * 2 * HOUR_MS), new Date(endsAt.getTime() + offset_h * 2 * HOUR_MS), status, holdExpiresAt, capturedMinor, updatedAt],
      );
    await insert(ids.held, 'HELD', 0, null, new Date(now));
    await insert(ids.confirmed, 'CONFIRMED', 1, null, confirmedAt);
    await insert(ids.captured, 'CONFIRMED', 2, '100', new Date(now));
    await insert(ids.completed, 'COMPLETED', 3, '100', new Date(now));
    await insert(ids.cancelled, 'CANCELLED', 4, null, new Date(now));

    await pool.query(readFileSync(join(MIGRATIONS, '003_saga_deadlines.sql'), 'utf8'));

    const rows = await pool.query<{ booking_id: string; confirmed_at: Date | null; deadline_stage: string | null; deadline_at: Date | null; timeout_requested_at: Date | null }>(
      'SELECT booking_id, confirmed_at, deadline_stage, deadline_at, timeout_requested_at FROM bookings',
    );
    const byId = new Map(rows.rows.map((row) => [row.booking_id, row]));
    expect(byId.get(ids.held)).toMatchObject({ confirmed_at: null, deadline_stage: 'HOLD', deadline_at: holdExpiresAt, timeout_requested_at: null });
    expect(byId.get(ids.confirmed)).toMatchObject({ confirmed_at: confirmedAt, deadline_stage: 'CAPTURE', deadline_at: new Date(confirmedAt.getTime() + HOUR_MS) });
    expect(byId.get(ids.captured)).toMatchObject({ deadline_stage: 'COMPLETION', deadline_at: new Date(endsAt.getTime() + 4 * HOUR_MS + 72 * HOUR_MS) });
    expect(byId.get(ids.completed)).toMatchObject({ deadline_stage: null, deadline_at: null });
    expect(byId.get(ids.cancelled)).toMatchObject({ deadline_stage: null, deadline_at: null });

    // From now on the database itself refuses a live booking without a deadline, or a finished one with one.
    await expect(pool.query("UPDATE bookings SET deadline_stage = NULL, deadline_at = NULL WHERE booking_id = $1", [ids.held])).rejects.toMatchObject({ code: '23514' });
    await expect(pool.query("UPDATE bookings SET deadline_stage = 'HOLD', deadline_at = now() WHERE booking_id = $1", [ids.completed])).rejects.toMatchObject({ code: '23514' });
    await expect(pool.query('UPDATE bookings SET deadline_at = NULL WHERE booking_id = $1', [ids.captured])).rejects.toMatchObject({ code: '23514' });
    await expect(pool.query('UPDATE bookings SET confirmed_at = NULL WHERE booking_id = $1', [ids.confirmed])).rejects.toMatchObject({ code: '23514' });
  });

  it('migration 005 gives holds made before it the default grace after their expiry, touches no other deadline, and indexes the sweeper\'s scan', async () => {
    const before = await pool.query<{ booking_id: string; status: string; hold_expires_at: Date; deadline_stage: string | null; deadline_at: Date | null }>(
      'SELECT booking_id, status, hold_expires_at, deadline_stage, deadline_at FROM bookings ORDER BY booking_id',
    );
    expect(before.rows.filter((row) => row.deadline_stage === 'HOLD')).toHaveLength(1);

    await pool.query(readFileSync(join(MIGRATIONS, '005_hold_expiry_grace.sql'), 'utf8'));

    const after = await pool.query<{ booking_id: string; deadline_at: Date | null }>('SELECT booking_id, deadline_at FROM bookings ORDER BY booking_id');
    for (const [index, row] of before.rows.entries()) {
      const expected = row.deadline_stage === 'HOLD' ? new Date(row.hold_expires_at.getTime() + 15 * 60_000) : row.deadline_at;
      expect(after.rows[index]).toEqual({ booking_id: row.booking_id, deadline_at: expected });
    }
    const indexes = await pool.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE tablename = 'bookings' AND indexname IN ('bookings_hold_deadline_idx', 'bookings_held_expiry_idx')");
    expect(indexes.rows).toEqual([{ indexname: 'bookings_hold_deadline_idx' }]);
  });
});
