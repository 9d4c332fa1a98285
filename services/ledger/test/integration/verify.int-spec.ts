import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type SuiteScope } from '@txn/testing';
import { verifyLedger } from '../../src';
import { onBookingCompleted, onPaymentAuthorized, onPaymentCaptured } from './handlers';
import { LedgerDatabase, ledgerSuite, PaymentStory } from './support';

const run = promisify(execFile);
const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
const CLI_TIMEOUT_MS = 45_000;

/** The verify command as an operator runs it; resolves with its exit code and output. */
async function verifyCommand(databaseUrl: string): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'services/ledger/src/verify-main.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, LEDGER_DATABASE_URL: databaseUrl },
      timeout: CLI_TIMEOUT_MS,
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('ledger verify: finds what does not add up', () => {
  let scope: SuiteScope;
  let db: LedgerDatabase;
  const story = new PaymentStory();

  beforeAll(async () => {
    scope = await ledgerSuite('ledger-verify');
    db = await LedgerDatabase.create(scope, 'verify');
    await db.inTx((tx) => onPaymentAuthorized(tx, story.authorized(10_101n)));
    await db.inTx((tx) => onPaymentCaptured(tx, story.captured(10_101n)));
    await db.inTx((tx) => onBookingCompleted(tx, story.completed()));
    // A second payment left pending, so the pending counters are checked too.
    const pending = new PaymentStory();
    await db.inTx((tx) => onPaymentAuthorized(tx, pending.authorized(500n)));
  });

  afterAll(async () => {
    await db?.dispose();
    await scope?.dispose();
  });

  it('proves a correct ledger: the command exits 0', async () => {
    const result = await verifyCommand(db.url);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/"verdict":"CLEAN"/);
  });

  it('finds a balance corrupted behind the service (raw UPDATE as admin), by both proofs; the command exits 1', async () => {
    const payable = story.account('MERCHANT_PAYABLE');
    await db.admin.query('UPDATE account_balances SET credits_posted_minor = credits_posted_minor + 1 WHERE account_id = $1', [payable]);
    await db.admin.query('UPDATE account_balances SET debits_pending_minor = debits_pending_minor + 7 WHERE account_id = $1', [story.account('PSP_CLEARING')]);

    const report = await verifyLedger(db.pool, { pageSize: 3 });
    const mismatch = { kind: 'BALANCE_MISMATCH', accountId: payable, field: 'creditsPostedMinor', expectedMinor: 9_848n, actualMinor: 9_849n };
    const pendingMismatch = { kind: 'BALANCE_MISMATCH', accountId: story.account('PSP_CLEARING'), field: 'debitsPendingMinor', expectedMinor: 0n, actualMinor: 7n };
    expect(report.findings).toEqual(
      expect.arrayContaining([
        { source: 'sql', discrepancy: mismatch },
        { source: 'domain', discrepancy: mismatch },
        { source: 'sql', discrepancy: pendingMismatch },
        { source: 'domain', discrepancy: pendingMismatch },
        { source: 'sql', discrepancy: { kind: 'CURRENCY_NOT_ZERO', currency: 'EUR', scope: 'POSTED', netMinor: -1n } },
        { source: 'sql', discrepancy: { kind: 'CURRENCY_NOT_ZERO', currency: 'EUR', scope: 'PENDING', netMinor: 7n } },
      ]),
    );
    expect(report.findings.filter((f) => f.source === 'sql')).toHaveLength(4);

    const result = await verifyCommand(db.url);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`"accountId":"${payable}","field":"creditsPostedMinor","expectedMinor":"9848","actualMinor":"9849"`);
    expect(result.stdout).toMatch(/"verdict":"DISCREPANCIES"/);
  });
});
