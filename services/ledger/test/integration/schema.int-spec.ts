import { randomUUID } from 'node:crypto';
import { type DatabaseError, type PoolClient } from 'pg';
import { type SuiteScope } from '@txn/testing';
import { migrateLedger } from '../../src';
import { onPaymentAuthorized, onPaymentCaptured } from './handlers';
import { ignoreTermination, LedgerDatabase, ledgerSuite, PaymentStory, SILENT } from './support';

/** service-kit's labels of the ledger's migrations: the SQL files and the inbox/outbox code step. */
const MIGRATIONS = ['001_ledger_schema', '002_append_only', '003_inbox_and_outbox', '004_hold_expiry_index', '005_suspense_and_breaks', '006_escrow_disputes', '007_suspense_explanations'];

/** Runs `statements` in one transaction as the service role and returns how COMMIT (or a statement) failed. */
async function failureOf(client: PoolClient, statements: readonly [string, unknown[]?][]): Promise<DatabaseError | undefined> {
  try {
    await client.query('BEGIN');
    for (const [text, params] of statements) await client.query(text, params);
    await client.query('COMMIT');
    return undefined;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    return error as DatabaseError;
  }
}

const ACCOUNTS_SQL = `INSERT INTO accounts (account_id, tenant_id, code, currency, account_type, normal_side, account_limit) VALUES
  ('PSP_CLEARING:raw:EUR', 'raw', 'PSP_CLEARING', 'EUR', 'ASSET', 'DEBIT', 'NONE'),
  ('MERCHANT_PAYABLE:raw:EUR', 'raw', 'MERCHANT_PAYABLE', 'EUR', 'LIABILITY', 'CREDIT', 'NONE')
  ON CONFLICT DO NOTHING`;

function rawEntry(entryId: string, lineCount: number, debitMinor: number, creditMinor: number): [string, unknown[]?][] {
  return [
    [ACCOUNTS_SQL],
    ["INSERT INTO journal_entries (entry_id, entry_type, reason, line_count) VALUES ($1, 'ADJUSTMENT', 'raw SQL', $2)", [entryId, lineCount]],
    [
      `INSERT INTO journal_lines (entry_id, line_no, account_id, side, amount_minor, currency) VALUES
         ($1, 0, 'PSP_CLEARING:raw:EUR', 'DEBIT', $2, 'EUR'), ($1, 1, 'MERCHANT_PAYABLE:raw:EUR', 'CREDIT', $3, 'EUR')`,
      [entryId, debitMinor, creditMinor],
    ],
  ];
}

describe('ledger schema: migrations and append-only enforcement in the database', () => {
  let scope: SuiteScope;
  let db: LedgerDatabase;
  let client: PoolClient;

  beforeAll(async () => {
    scope = await ledgerSuite('ledger-schema');
    db = await LedgerDatabase.create(scope, 'schema');
    client = await db.pool.connect();
    // A journal with a captured payment in it, written the normal way.
    const story = new PaymentStory();
    await db.inTx((tx) => onPaymentAuthorized(tx, story.authorized(5_000n)));
    await db.inTx((tx) => onPaymentCaptured(tx, story.captured(5_000n)));
  });

  afterAll(async () => {
    client?.release();
    await db?.dispose();
    await scope?.dispose();
  });

  it('applies every migration once: again, and concurrently, nothing is applied twice', async () => {
    const [first, second] = await Promise.all([migrateLedger(db.pool, SILENT), migrateLedger(db.pool, SILENT)]);
    expect(first.applied).toEqual([]);
    expect(second.applied).toEqual([]);
    expect(first.alreadyApplied).toBe(MIGRATIONS.length);
    const { rows } = await db.pool.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => `${String(r.version).padStart(3, '0')}_${r.name}`)).toEqual(MIGRATIONS);
    // The messaging tables exist in the ledger's database.
    const tables = await db.pool.query<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_name IN ('inbox', 'outbox') ORDER BY 1");
    expect(tables.rows.map((r) => r.t)).toEqual(['inbox', 'outbox']);
  });

  it('concurrent first runs on a fresh database apply each migration exactly once', async () => {
    const fresh = await scope.database('fresh');
    const { Pool } = await import('pg');
    const pool = new Pool({ host: fresh.host, port: fresh.port, database: fresh.database, user: fresh.user, password: fresh.password, max: 4 });
    pool.on('error', ignoreTermination);
    try {
      const reports = await Promise.all([migrateLedger(pool, SILENT), migrateLedger(pool, SILENT), migrateLedger(pool, SILENT)]);
      const applied = reports.flatMap((r) => r.applied).sort();
      expect(applied).toEqual(MIGRATIONS);
      expect((await migrateLedger(pool, SILENT)).applied).toEqual([]);
    } finally {
      await pool.end();
    }
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the journal, as the service role that owns the tables', async () => {
    const who = await client.query<{ user: string; superuser: string }>("SELECT current_user AS user, current_setting('is_superuser') AS superuser");
    expect(who.rows[0]).toEqual({ user: db.database.user, superuser: 'off' });
    const owner = await client.query<{ owner: string }>("SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'journal_lines'");
    expect(owner.rows[0]?.owner).toBe(db.database.user);

    const attempts = [
      "UPDATE journal_entries SET reason = 'rewritten'",
      'UPDATE journal_lines SET amount_minor = amount_minor + 1',
      'DELETE FROM journal_lines',
      'DELETE FROM journal_entries',
      'TRUNCATE journal_lines',
      // Even a statement that matches no row: the intent is refused.
      "DELETE FROM journal_entries WHERE reason = 'no such entry'",
      'DELETE FROM holds',
      'DELETE FROM escrows',
    ];
    for (const statement of attempts) {
      const failure = await failureOf(client, [[statement]]);
      expect({ statement, code: failure?.code, message: failure?.message }).toEqual({ statement, code: 'TXL01', message: expect.stringMatching(/append-only/) });
    }
    const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM journal_lines');
    expect(Number(rows[0]?.n)).toBe(3);
  });

  it('refuses at commit an entry inserted by raw SQL that does not balance, or misses a line', async () => {
    const unbalanced = randomUUID();
    const failure = await failureOf(client, rawEntry(unbalanced, 2, 100, 99));
    expect(failure?.code).toBe('TXL02');
    expect(failure?.message).toMatch(new RegExp(`${unbalanced} is unbalanced in EUR: debits minus credits is 1`));

    const missingLine = randomUUID();
    const incomplete = await failureOf(client, rawEntry(missingLine, 3, 100, 100));
    expect(incomplete?.code).toBe('TXL02');
    expect(incomplete?.message).toMatch(/has 2 lines, its header says 3/);

    const { rows } = await db.pool.query('SELECT entry_id FROM journal_entries WHERE entry_id = ANY($1::uuid[])', [[unbalanced, missingLine]]);
    expect(rows).toEqual([]);
    // The check is not a blanket refusal: a balanced raw entry commits.
    expect(await failureOf(client, rawEntry(randomUUID(), 2, 100, 100))).toBeUndefined();
  });

  it('refuses a hold moving backwards or changing what it held', async () => {
    const { rows } = await db.pool.query<{ hold_id: string }>("SELECT hold_id FROM holds WHERE status = 'POSTED' LIMIT 1");
    const holdId = rows[0]?.hold_id;
    expect(holdId).toBeDefined();
    const back = await failureOf(client, [["UPDATE holds SET status = 'PENDING', entry_id = NULL, posted_amount_minor = NULL, closed_by_event_id = NULL WHERE hold_id = $1", [holdId]]]);
    expect(back?.code).toBe('TXL03');
  });
});
