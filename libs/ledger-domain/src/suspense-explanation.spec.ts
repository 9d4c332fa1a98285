import fc from 'fast-check';
import { SUPPORTED_CURRENCIES } from '@txn/money';
import { netByCurrency, type JournalEntry } from './journal-entry';
import { breakOf, suspenseEntry, type LedgerBreak } from './suspense';
import { explanationEntryId, suspenseClearingEntry, SUSPENSE_TARGETS, type SuspenseTarget } from './suspense-explanation';
import { acct, eur, must, TENANT } from './test-fixtures';

const FACT = '0b8f5d3e-8a5c-4a6e-9b3b-6d1f2c3a4b5c';
const PAYMENT = '7a0c1f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b';
const BOOKING = '1e2d3c4b-5a69-4788-9fa0-b1c2d3e4f5a6';

function brokenFact(amount: { amountMinor: bigint; currency: (typeof SUPPORTED_CURRENCIES)[number] }, direction: 'IN' | 'OUT'): { raised: LedgerBreak; suspense: JournalEntry } {
  const suspense = must(suspenseEntry({ entryId: FACT, tenantId: TENANT, amount, direction, reason: 'HOLD_NOT_FOUND', paymentId: PAYMENT, bookingId: BOOKING }));
  const raised = breakOf(
    { breakId: FACT, tenantId: TENANT, factEventType: direction === 'IN' ? 'PaymentCaptured' : 'PaymentRefunded', paymentId: PAYMENT, bookingId: BOOKING, amount },
    direction === 'IN' ? 'CAPTURE_UNPLACED' : 'REFUND_UNPLACED',
    { outcome: 'refused', refused: 'HOLD_NOT_FOUND', detail: 'no hold' },
    suspense,
  );
  return { raised, suspense };
}

/** What an entry does to one account: debits minus credits. */
function netOn(entry: JournalEntry, account: string): bigint {
  return entry.lines.filter((line) => line.accountId === account).reduce((sum, line) => sum + (line.side === 'DEBIT' ? line.amount.amountMinor : -line.amount.amountMinor), 0n);
}

const EXPLANATION = { target: 'MERCHANT_PAYABLE' as SuspenseTarget, explainedBy: 'user:finance-1', reason: 'authorization lost in transit; capture confirmed at the PSP' };

describe('explaining a break: the adjusting entry that clears its suspense', () => {
  it('whatever the amount, currency, direction and target: balanced, SUSPENSE back to zero for the break, the target takes the difference, PSP clearing untouched unless it is the target', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 15n }), fc.constantFrom(...SUPPORTED_CURRENCIES), fc.constantFrom('IN' as const, 'OUT' as const), fc.constantFrom(...SUSPENSE_TARGETS), (amountMinor, currency, direction, target) => {
        const { raised, suspense } = brokenFact({ amountMinor, currency }, direction);
        const clearing = must(suspenseClearingEntry(raised, suspense, { ...EXPLANATION, target }));
        expect([...netByCurrency(clearing.lines).values()]).toEqual([0n]);
        const suspenseAccount = acct('SUSPENSE', currency);
        expect(netOn(suspense, suspenseAccount) + netOn(clearing, suspenseAccount)).toBe(0n);
        const targetAccount = acct(target, currency);
        expect(netOn(clearing, targetAccount)).toBe(-netOn(clearing, suspenseAccount));
        if (target !== 'PSP_CLEARING') expect(netOn(clearing, acct('PSP_CLEARING', currency))).toBe(0n);
        expect(clearing).toMatchObject({ entryType: 'ADJUSTMENT', paymentId: PAYMENT, bookingId: BOOKING, reversesEntryId: null });
      }),
    );
  });

  it('is one entry per break however often it is asked (the id is derived from the break), and says who and why', () => {
    const { raised, suspense } = brokenFact(eur(500n), 'IN');
    const first = must(suspenseClearingEntry(raised, suspense, EXPLANATION));
    const again = must(suspenseClearingEntry({ ...raised, breakId: raised.breakId.toUpperCase() }, suspense, { ...EXPLANATION, reason: 'another wording' }));
    expect(first.entryId).toBe(explanationEntryId(FACT));
    expect(again.entryId).toBe(first.entryId);
    expect(first.entryId).not.toBe(FACT);
    expect(first.reason).toContain(EXPLANATION.reason);
    expect(first.reason).toContain('user:finance-1');
    expect(first.reason).toContain(FACT);
  });

  it('money the PSP gave back with no escrow to take it from: the target bears it (debited), SUSPENSE credited back', () => {
    const { raised, suspense } = brokenFact(eur(300n), 'OUT');
    const clearing = must(suspenseClearingEntry(raised, suspense, EXPLANATION));
    expect(clearing.lines).toEqual([
      { accountId: acct('MERCHANT_PAYABLE'), side: 'DEBIT', amount: eur(300n) },
      { accountId: acct('SUSPENSE'), side: 'CREDIT', amount: eur(300n) },
    ]);
  });

  it('refuses a break that booked nothing, an entry that is not its suspense entry, a target outside the list, and an explanation without who or why', () => {
    const { raised, suspense } = brokenFact(eur(500n), 'IN');
    expect(suspenseClearingEntry({ ...raised, suspenseEntryId: null }, undefined, EXPLANATION)).toMatchObject({ outcome: 'refused', refused: 'INVALID_ENTRY' });
    expect(suspenseClearingEntry(raised, undefined, EXPLANATION)).toMatchObject({ outcome: 'refused', refused: 'INVALID_ENTRY' });
    expect(suspenseClearingEntry(raised, { ...suspense, entryType: 'ADJUSTMENT' }, EXPLANATION)).toMatchObject({ outcome: 'refused', refused: 'INVALID_ENTRY' });
    for (const target of ['ESCROW', 'SUSPENSE', 'CUSTOMER_FUNDS_HELD', 'NOPE']) {
      expect(suspenseClearingEntry(raised, suspense, { ...EXPLANATION, target: target as SuspenseTarget })).toMatchObject({ outcome: 'refused', refused: 'UNKNOWN_ACCOUNT' });
    }
    expect(suspenseClearingEntry(raised, suspense, { ...EXPLANATION, explainedBy: ' ' })).toMatchObject({ outcome: 'refused', refused: 'INVALID_ENTRY' });
    expect(suspenseClearingEntry(raised, suspense, { ...EXPLANATION, reason: '' })).toMatchObject({ outcome: 'refused', refused: 'INVALID_ENTRY' });
  });
});
