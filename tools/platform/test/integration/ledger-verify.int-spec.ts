import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Pool } from 'pg';
import { loadPlatformConfig } from '@txn/infra-local';
import { Cleanups, createSuiteScope, secretFiles, type SuiteDatabase } from '@txn/testing';
import { runLedgerCommand } from '../../src/commands/ledger';

// `./platform ledger verify` and the ledger's `main.ts migrate` as the programs they are (child
// processes), on a suite ledger database: the migration step as its owner (what a Kubernetes Job
// runs), then verify as the runtime role, finding the database from the service's own settings
// (DATABASE_*, the password in a file), not from a URL a person has to build.

const PROGRAM_TIMEOUT_MS = 60_000;

function run(program: string, args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const rootDir = loadPlatformConfig().rootDir;
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(rootDir, program), ...args], { cwd: rootDir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: PROGRAM_TIMEOUT_MS });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('close', (code) => resolvePromise({ code, output }));
  });
}

describe('./platform ledger verify and breaks, on a ledger database migrated by its migration step (real PostgreSQL)', () => {
  const cleanups = new Cleanups();
  let database: SuiteDatabase;
  let settings: Record<string, string>;
  let owner: Pool;

  beforeAll(async () => {
    const scope = await createSuiteScope('ledger-verify-cli');
    cleanups.push(() => scope.dispose());
    database = await scope.database('ledger');
    const secrets = secretFiles('ledger-verify-cli-');
    cleanups.push(() => secrets.remove());
    const where = { DATABASE_HOST: database.host, DATABASE_PORT: String(database.port), DATABASE_NAME: database.database };
    settings = { ...where, DATABASE_USER: database.runtime.user, DATABASE_PASSWORD_FILE: secrets.write('runtime', database.runtime.password) };
    const migrated = await run('services/ledger/src/main.ts', ['migrate'], {
      SERVICE_NAME: 'ledger',
      ...where,
      DATABASE_USER: database.runtime.user,
      DATABASE_MIGRATION_USER: database.user,
      DATABASE_MIGRATION_PASSWORD_FILE: secrets.write('owner', database.password),
      LOG_LEVEL: 'warn',
    });
    expect(migrated).toEqual({ code: 0, output: '' });
    owner = new Pool({ host: database.host, port: database.port, database: database.database, user: database.user, password: database.password, max: 1 });
    cleanups.push(() => owner.end());
  }, PROGRAM_TIMEOUT_MS * 2);
  afterAll(() => cleanups.runAll());

  it('migrate gave the runtime role the ledger\'s grants: add to the journal, never change it', async () => {
    const { rows } = await owner.query<{ insert: boolean; update: boolean; delete: boolean; truncate: boolean; create: boolean }>(
      `SELECT has_table_privilege($1, 'journal_lines', 'INSERT') AS insert, has_table_privilege($1, 'journal_lines', 'UPDATE') AS update,
              has_table_privilege($1, 'journal_lines', 'DELETE') AS delete, has_table_privilege($1, 'journal_lines', 'TRUNCATE') AS truncate,
              has_schema_privilege($1, 'public', 'CREATE') AS create`,
      [database.runtime.user],
    );
    expect(rows).toEqual([{ insert: true, update: false, delete: false, truncate: false, create: false }]);
  });

  it('proves a clean ledger (exit 0, CLEAN), then reports a balance that disagrees with its lines (exit 1)', async () => {
    let output = '';
    const config = loadPlatformConfig();
    expect(await runLedgerCommand(['verify'], config, { settings, output: (text) => (output += text) })).toBe(0);
    expect(output.trim().split('\n').at(-1)).toMatch(/"verdict":"CLEAN"/);

    await owner.query("INSERT INTO accounts (account_id, tenant_id, code, currency, account_type, normal_side, account_limit) VALUES ('PSP_CLEARING:t1:EUR', 't1', 'PSP_CLEARING', 'EUR', 'ASSET', 'DEBIT', 'NONE')");
    await owner.query("INSERT INTO account_balances (account_id, currency, account_limit, debits_posted_minor) VALUES ('PSP_CLEARING:t1:EUR', 'EUR', 'NONE', 500)");
    output = '';
    expect(await runLedgerCommand(['verify'], config, { settings, output: (text) => (output += text) })).toBe(1);
    expect(output).toMatch(/PSP_CLEARING:t1:EUR/);
    expect(output.trim().split('\n').at(-1)).toMatch(/"verdict":"DISCREPANCIES"/);
  });

  it('lists the open breaks, oldest first, then a summary by kind: exit 0 when none, 1 when there are breaks to explain', async () => {
    let output = '';
    const config = loadPlatformConfig();
    expect(await runLedgerCommand(['breaks'], config, { settings, output: (text) => (output += text) })).toBe(0);
    expect(JSON.parse(output.trim().split('\n').at(-1) ?? '{}')).toEqual({ verdict: 'NONE_OPEN', open: 0, truncated: false, byKind: {} });

    // As the ledger raises one for a capture of a payment it never held (its suspense entry aside).
    await owner.query(
      `INSERT INTO breaks (break_id, tenant_id, kind, code, reason, fact_event_type, payment_id, booking_id, amount_minor, currency)
       VALUES ('0f0e0d0c-0b0a-4908-8706-050403020100', 't1', 'CAPTURE_UNPLACED', 'HOLD_NOT_FOUND', 'no authorization hold for payment p', 'PaymentCaptured', 'p', 'b', 700, 'EUR')`,
    );
    output = '';
    expect(await runLedgerCommand(['breaks', '--limit', '10'], config, { settings, output: (text) => (output += text) })).toBe(1);
    const [line, summary] = output.trim().split('\n').map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(line).toMatchObject({ breakId: '0f0e0d0c-0b0a-4908-8706-050403020100', kind: 'CAPTURE_UNPLACED', code: 'HOLD_NOT_FOUND', amount: { amountMinor: '700', currency: 'EUR' } });
    expect(summary).toEqual({ verdict: 'OPEN_BREAKS', open: 1, truncated: false, byKind: { CAPTURE_UNPLACED: 1 } });
    output = '';
    expect(await runLedgerCommand(['breaks', '--limit', '0'], config, { settings, output: (text) => (output += text) })).toBe(2);
    expect(output).toMatch(/--limit takes 1\.\.1000/);
  });

  it('says which settings are missing when it has none, instead of asking for a URL', async () => {
    const { code, output } = await run('services/ledger/src/verify-main.ts', [], { LEDGER_DATABASE_URL: '', DATABASE_HOST: '', DATABASE_NAME: '' });
    expect(code).toBe(2);
    expect(output).toMatch(/DATABASE_HOST: missing/);
    expect(output).toMatch(/\.\/platform ledger verify/);
  });
});
