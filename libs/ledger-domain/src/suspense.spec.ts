import fc from 'fast-check';
import { SUPPORTED_CURRENCIES } from '@txn/money';
import { netByCurrency } from './journal-entry';
import { breakOf, suspenseEntry } from './suspense';
import { acct, eur, must } from './test-fixtures';

const ENTRY = '0b8f5d3e-8a5c-4a6e-9b3b-6d1f2c3a4b5c';

describe('suspense', () => {
  it('books money the PSP took in against PSP clearing, and money it gave back out of it, always balanced', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 15n }), fc.constantFrom(...SUPPORTED_CURRENCIES), fc.constantFrom('IN' as const, 'OUT' as const), (amountMinor, currency, direction) => {
        const entry = must(suspenseEntry({ entryId: ENTRY, tenantId: 'merchant-1', amount: { amountMinor, currency }, direction, reason: 'HOLD_NOT_FOUND', paymentId: null, bookingId: null }));
        expect([...netByCurrency(entry.lines).values()]).toEqual([0n]);
        const debit = entry.lines.find((line) => line.side === 'DEBIT')?.accountId;
        expect(debit).toBe(direction === 'IN' ? acct('PSP_CLEARING', currency) : acct('SUSPENSE', currency));
        expect(entry.entryType).toBe('SUSPENSE');
      }),
    );
  });

  it('raises one break per fact, keyed by its event id, naming the code, the reason and the suspense entry', () => {
    const entry = must(suspenseEntry({ entryId: ENTRY, tenantId: 'merchant-1', amount: eur(500n), direction: 'IN', reason: 'PAYMENT_CAPTURED', paymentId: 'p', bookingId: 'b' }));
    const raised = breakOf(
      { breakId: ENTRY.toUpperCase(), tenantId: 'merchant-1', factEventType: 'PaymentCaptured', paymentId: 'p', bookingId: 'b', amount: eur(500n) },
      'CAPTURE_UNPLACED',
      { outcome: 'refused', refused: 'HOLD_NOT_FOUND', detail: 'no authorization hold for payment p' },
      entry,
    );
    expect(raised).toEqual({
      breakId: ENTRY,
      tenantId: 'merchant-1',
      kind: 'CAPTURE_UNPLACED',
      code: 'HOLD_NOT_FOUND',
      reason: 'no authorization hold for payment p',
      factEventType: 'PaymentCaptured',
      paymentId: 'p',
      bookingId: 'b',
      amount: eur(500n),
      suspenseEntryId: ENTRY,
    });
  });
});
