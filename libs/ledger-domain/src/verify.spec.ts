import { applyEntry, NO_BALANCES, zeroBalance } from './balances';
import { authorizationHold } from './escrow';
import { postEntry, type JournalEntry } from './journal-entry';
import { acct, eur, IN_15_MINUTES, must, NOW } from './test-fixtures';
import { verify } from './verify';

const capture: JournalEntry = must(
  postEntry({
    entryId: 'capture-1',
    entryType: 'CAPTURE_TO_ESCROW',
    reason: 'PAYMENT_CAPTURED',
    lines: [
      { accountId: acct('PSP_CLEARING'), side: 'DEBIT', amount: eur(10_000n) },
      { accountId: acct('ESCROW'), side: 'CREDIT', amount: eur(8_800n) },
      { accountId: acct('PLATFORM_FEE_ESCROW'), side: 'CREDIT', amount: eur(1_200n) },
    ],
  }),
);

describe('verify', () => {
  it('passes books whose balances are exactly the sum of their journal lines', () => {
    expect(verify({ entries: [capture], holds: [] }, applyEntry(NO_BALANCES, capture))).toEqual([]);
  });

  it('flags a balance row lost from the books, and the currency no longer summing to zero', () => {
    const balances = new Map(applyEntry(NO_BALANCES, capture));
    balances.delete(acct('ESCROW'));
    const found = verify({ entries: [capture], holds: [] }, balances);
    expect(found).toContainEqual({
      kind: 'BALANCE_MISMATCH',
      accountId: acct('ESCROW'),
      field: 'creditsPostedMinor',
      expectedMinor: 8_800n,
      actualMinor: 0n,
    });
    expect(found).toContainEqual({ kind: 'CURRENCY_NOT_ZERO', currency: 'EUR', scope: 'POSTED', netMinor: 8_800n });
  });

  it('flags money on an account that no journal line explains, even when someone balanced it out elsewhere', () => {
    const balances = new Map(applyEntry(NO_BALANCES, capture));
    balances.set(acct('MERCHANT_PAYABLE'), { ...zeroBalance(acct('MERCHANT_PAYABLE'), 'EUR'), creditsPostedMinor: 500n });
    const escrow = balances.get(acct('ESCROW'));
    if (escrow) balances.set(acct('ESCROW'), { ...escrow, creditsPostedMinor: escrow.creditsPostedMinor - 500n });
    const found = verify({ entries: [capture], holds: [] }, balances);
    expect(found.map((d) => d.kind === 'BALANCE_MISMATCH' && d.accountId)).toEqual([acct('ESCROW'), acct('MERCHANT_PAYABLE')]);
  });

  it('counts a pending authorization on both sides, and flags a pending amount with no hold behind it', () => {
    const placed = must(
      authorizationHold(
        { holdId: 'h', tenantId: 'merchant-1', amount: eur(700n), expiresAt: IN_15_MINUTES, reason: 'PAYMENT_AUTHORIZED', paymentId: 'p', bookingId: 'b' },
        NOW,
      ),
    );
    const balances = new Map([
      [acct('PSP_CLEARING'), { ...zeroBalance(acct('PSP_CLEARING'), 'EUR'), debitsPendingMinor: 700n }],
      [acct('CUSTOMER_FUNDS_HELD'), { ...zeroBalance(acct('CUSTOMER_FUNDS_HELD'), 'EUR'), creditsPendingMinor: 700n }],
    ]);
    expect(verify({ entries: [], holds: [placed.after] }, balances)).toEqual([]);
    expect(verify({ entries: [], holds: [] }, balances).map((d) => d.kind)).toEqual(['BALANCE_MISMATCH', 'BALANCE_MISMATCH']);
  });

  it('flags an unbalanced entry that reached the journal without postEntry (e.g. edited in the database)', () => {
    const tampered: JournalEntry = { ...capture, lines: capture.lines.slice(0, 2) };
    expect(verify({ entries: [tampered], holds: [] }, applyEntry(NO_BALANCES, tampered))).toContainEqual(
      expect.objectContaining({ kind: 'UNBALANCED_ENTRY', entryId: 'capture-1', netMinor: 1_200n }),
    );
  });
});
