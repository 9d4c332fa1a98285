import type { AccountBalance, JournalEntry } from '@txn/ledger-domain';
import { verifyBooks, type JournalProof, type ProveJournal } from './verify-books';

const CLEARING = 'PSP_CLEARING:merchant-1:EUR';
const PAYABLE = 'MERCHANT_PAYABLE:merchant-1:EUR';

const entry: JournalEntry = {
  entryId: '7b0ad2a4-1f0e-4a43-9d6c-3f6c8f1d2e10',
  entryType: 'ADJUSTMENT',
  reason: 'test',
  lines: [
    { accountId: CLEARING, side: 'DEBIT', amount: { amountMinor: 500n, currency: 'EUR' } },
    { accountId: PAYABLE, side: 'CREDIT', amount: { amountMinor: 500n, currency: 'EUR' } },
  ],
  reversesEntryId: null,
  paymentId: null,
  bookingId: null,
};

function balance(accountId: string, debitsPostedMinor: bigint, creditsPostedMinor: bigint): AccountBalance {
  return { accountId, currency: 'EUR', debitsPostedMinor, creditsPostedMinor, debitsPendingMinor: 0n, creditsPendingMinor: 0n };
}

function proofOf(balances: readonly AccountBalance[], sql: JournalProof['sqlFindings'] = []): { prove: ProveJournal; asked: unknown[] } {
  const asked: unknown[] = [];
  const prove: ProveJournal = (options) => {
    asked.push(options);
    return Promise.resolve({ sqlFindings: sql, accountsChecked: balances.length, entriesChecked: 1, currencies: [{ currency: 'EUR', postedNetMinor: 0n, pendingNetMinor: 0n }], journal: { entries: [entry], holds: [], balances: new Map(balances.map((b) => [b.accountId, b])) } });
  };
  return { prove, asked };
}

describe('verifying the books', () => {
  it('is clean when every balance is its journal, by the SQL pass and the domain\'s own proof', async () => {
    const { prove } = proofOf([balance(CLEARING, 500n, 0n), balance(PAYABLE, 0n, 500n)]);
    expect(await verifyBooks(prove)).toMatchObject({ findings: [], truncated: false, domainVerify: 'ran' });
  });

  it('reports a balance that is not its journal from the domain\'s proof, besides what the SQL pass found, and bounds the list', async () => {
    const sqlFinding = { kind: 'JOURNAL_NOT_ZERO' as const, currency: 'EUR', netMinor: 1n };
    const { prove, asked } = proofOf([balance(CLEARING, 501n, 0n), balance(PAYABLE, 0n, 500n)], [sqlFinding]);
    const report = await verifyBooks(prove, { maxFindings: 1 });
    expect(report.findings).toEqual([{ source: 'sql', discrepancy: sqlFinding }]);
    expect(report.truncated).toBe(true);
    expect(asked).toEqual([expect.objectContaining({ maxFindings: 2 })]);
    const all = await verifyBooks(prove);
    expect(all.findings.map((finding) => finding.source)).toContain('domain');
    expect(all.findings.find((finding) => finding.source === 'domain')?.discrepancy).toMatchObject({ kind: 'BALANCE_MISMATCH', accountId: CLEARING });
  });
});
