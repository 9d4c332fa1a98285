import { Pool, type DatabaseError } from 'pg';
import { PaymentAuthorized, PaymentCaptured, type ContractTopic } from '@txn/contracts';
import { outcomesOf, startSuiteService, suiteResources, suiteSender, type SuiteSender, type SuiteService } from '@txn/service-harness';
import { Cleanups, waitFor, type SuiteDatabase } from '@txn/testing';
import { ledgerService, readLedgerSettings } from '../../src';
import { PaymentStory } from './support';

// The ledger service as ./platform up and a Kubernetes deployment run it (decision 0015): migrated
// as the schema's owner, running as a role of its own. That role is the one the append-only rules
// must bind: it works the ledger, and it can neither change what was journaled nor switch off or
// replace the triggers that would refuse it, nor make tables. Real PostgreSQL, Kafka and registry.

const LEDGER_TOPICS = ['payment.events.v1', 'booking.events.v1', 'ledger.events.v1'] as const satisfies readonly ContractTopic[];
const FLOW_TIMEOUT_MS = 30_000;
/** PostgreSQL's insufficient_privilege: refused for want of a privilege, before any trigger runs. */
const INSUFFICIENT_PRIVILEGE = '42501';

/** What a role that could bend the ledger would do; the running role must be refused each one by privilege. */
const FORBIDDEN: readonly string[] = [
  'ALTER TABLE journal_lines DISABLE TRIGGER journal_lines_append_only',
  'ALTER TABLE journal_entries DISABLE TRIGGER ALL',
  'ALTER TABLE journal_entries ENABLE REPLICA TRIGGER journal_entries_append_only',
  'DROP TRIGGER journal_lines_append_only ON journal_lines',
  'ALTER TRIGGER journal_entries_balanced ON journal_entries RENAME TO unchecked',
  'CREATE TRIGGER planted BEFORE INSERT ON journal_lines FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()',
  "CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
  'DROP FUNCTION ledger_check_entry_balanced() CASCADE',
  'SET session_replication_role = replica',
  'DELETE FROM journal_lines',
  'DELETE FROM journal_entries',
  'UPDATE journal_lines SET amount_minor = amount_minor + 1',
  "UPDATE journal_entries SET reason = 'rewritten'",
  'TRUNCATE journal_lines',
  'TRUNCATE journal_entries CASCADE',
  "UPDATE account_balances SET account_limit = 'NONE'",
  'ALTER TABLE account_balances DROP CONSTRAINT account_balances_debit_limit',
  'CREATE TABLE planted (id int)',
  'CREATE TEMP TABLE planted (id int)',
];

describe('ledger service runs as a least-privilege role (real PostgreSQL, Kafka, registry)', () => {
  const cleanups = new Cleanups();
  let database: SuiteDatabase;
  let ledger: SuiteService;
  let sender: SuiteSender;
  let owner: Pool;

  beforeAll(async () => {
    const { scope, topicOf, secret } = await suiteResources('ledger-least-privilege', LEDGER_TOPICS, 1, cleanups);
    database = await scope.database('ledger');
    ledger = await startSuiteService({ service: 'ledger', database, secret, readSettings: readLedgerSettings, definition: (config) => ledgerService(config), topicOverrides: topicOf, consumerGroup: scope.groupId('ledger'), cleanups });
    sender = await suiteSender('ledger-least-privilege', topicOf, cleanups);
    owner = new Pool({ host: database.host, port: database.port, database: database.database, user: database.user, password: database.password, max: 1 });
    cleanups.push(() => owner.end());
  });
  afterAll(() => cleanups.runAll());

  async function applied(eventId: string): Promise<void> {
    await waitFor(`event ${eventId} applied`, () => (outcomesOf(ledger.logs, eventId).includes('applied') ? true : undefined), FLOW_TIMEOUT_MS);
  }

  it('runs as its runtime role, not as the schema owner, and does its work with it: a hold, then a capture journaled', async () => {
    const pool = ledger.service.dependencies.pool;
    const { rows } = await pool.query<{ role: string; schema_owner: string }>("SELECT current_user AS role, pg_get_userbyid(nspowner) AS schema_owner FROM pg_namespace WHERE nspname = 'public'");
    expect(rows).toEqual([{ role: database.runtime.user, schema_owner: database.user }]);

    const story = new PaymentStory('EUR', { startAt_ms: Date.now(), feeBps: 1_000 });
    const authorized = story.authorized(10_000n);
    await sender.send(PaymentAuthorized, authorized, story.paymentId);
    await applied(authorized.envelope.eventId);
    const captured = story.captured(10_000n);
    await sender.send(PaymentCaptured, captured, story.paymentId);
    await applied(captured.envelope.eventId);
    const journal = await pool.query<{ entries: number; lines: number }>('SELECT (SELECT count(*)::int FROM journal_entries) AS entries, (SELECT count(*)::int FROM journal_lines) AS lines');
    expect(journal.rows[0]?.entries).toBe(1);
    expect(journal.rows[0]?.lines).toBeGreaterThanOrEqual(2);
  });

  it('cannot disable, drop, replace or add triggers, cannot change or remove journal rows, cannot TRUNCATE, cannot make tables', async () => {
    const pool = ledger.service.dependencies.pool;
    const before = await owner.query('SELECT entry_id, line_no, account_id, side, amount_minor FROM journal_lines ORDER BY entry_id, line_no');
    const refusals: { statement: string; code: string | undefined }[] = [];
    for (const statement of FORBIDDEN) {
      const code = await pool.query(statement).then(
        () => 'accepted',
        (error: unknown) => (error as DatabaseError).code,
      );
      refusals.push({ statement, code });
    }
    expect(refusals).toEqual(FORBIDDEN.map((statement) => ({ statement, code: INSUFFICIENT_PRIVILEGE })));
    // Nothing moved: the triggers are all still enabled, every line is as it was.
    const triggers = await owner.query<{ tgname: string; tgenabled: string }>(
      "SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN ('journal_entries'::regclass, 'journal_lines'::regclass) ORDER BY tgname",
    );
    expect(triggers.rows).toEqual([
      { tgname: 'journal_entries_append_only', tgenabled: 'O' },
      { tgname: 'journal_entries_balanced', tgenabled: 'O' },
      { tgname: 'journal_lines_append_only', tgenabled: 'O' },
      { tgname: 'journal_lines_balanced', tgenabled: 'O' },
    ]);
    expect((await owner.query('SELECT entry_id, line_no, account_id, side, amount_minor FROM journal_lines ORDER BY entry_id, line_no')).rows).toEqual(before.rows);
    expect((await owner.query("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'planted'")).rows).toEqual([{ n: 0 }]);
  });
});
