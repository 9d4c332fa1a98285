import { type CurrencyCode, type Money } from '@txn/money';
import { CHART_OF_ACCOUNTS, type AccountCode } from './accounts';
import { admit, NO_BALANCES, postedBalance, type Balances } from './balances';
import { authorizationHold, captureToEscrow, refundEscrow, releaseEscrow, type Escrow } from './escrow';
import { type HoldChange } from './holds';
import { type JournalEntry } from './journal-entry';
import { acct, eur, feeAt, IN_15_MINUTES, must, NOW } from './test-fixtures';
import { verify } from './verify';

/** A booking's money walked through the saga steps, keeping what the ledger service would persist. */
class Books {
  balances: Balances = NO_BALANCES;
  readonly entries: JournalEntry[] = [];
  readonly holds = new Map<string, HoldChange['after']>();

  apply(change: HoldChange | JournalEntry): void {
    this.balances = must(admit(this.balances, change));
    if ('lines' in change) this.entries.push(change);
    else {
      this.holds.set(change.after.holdId, change.after);
      if (change.entry !== null) this.entries.push(change.entry);
    }
  }

  balance(code: AccountCode, currency: CurrencyCode = 'EUR'): bigint {
    const balance = this.balances.get(acct(code, currency));
    return balance === undefined ? 0n : postedBalance(balance, CHART_OF_ACCOUNTS[code].normalSide);
  }

  pendingCredits(code: AccountCode, currency: CurrencyCode = 'EUR'): bigint {
    return this.balances.get(acct(code, currency))?.creditsPendingMinor ?? 0n;
  }

  verify() {
    return verify({ entries: this.entries, holds: [...this.holds.values()] }, this.balances);
  }
}

function authorizeAndCapture(books: Books, authorized: Money, captured: Money, feeBps: number): Escrow {
  const placed = must(
    authorizationHold(
      { holdId: 'hold-1', tenantId: 'merchant-1', amount: authorized, expiresAt: IN_15_MINUTES, reason: 'PAYMENT_AUTHORIZED', paymentId: 'pay-1', bookingId: 'book-1' },
      NOW,
    ),
  );
  books.apply(placed);
  const capture = must(
    captureToEscrow(placed.after, { entryId: 'captured-evt', escrowId: 'escrow-1', captured, ...feeAt(captured, feeBps), reason: 'PAYMENT_CAPTURED', now: NOW }),
  );
  books.apply(capture.holdChange);
  return capture.escrow;
}

describe('the money flow in the ledger', () => {
  it('an authorization shows as customer funds held, and touches no posted balance', () => {
    const books = new Books();
    books.apply(
      must(
        authorizationHold(
          { holdId: 'h', tenantId: 'merchant-1', amount: { amountMinor: 12_000n, currency: 'EUR' }, expiresAt: IN_15_MINUTES, reason: 'PAYMENT_AUTHORIZED', paymentId: 'p', bookingId: 'b' },
          NOW,
        ),
      ),
    );
    expect(books.pendingCredits('CUSTOMER_FUNDS_HELD')).toBe(12_000n);
    for (const code of Object.keys(CHART_OF_ACCOUNTS) as AccountCode[]) expect(books.balance(code)).toBe(0n);
    expect(books.verify()).toEqual([]);
  });

  it('a capture of 100.00 EUR at a 12 % fee puts 88.00 in escrow for the merchant and 12.00 as unearned fee', () => {
    const books = new Books();
    authorizeAndCapture(books, { amountMinor: 12_000n, currency: 'EUR' }, { amountMinor: 10_000n, currency: 'EUR' }, 1_200);
    expect(books.pendingCredits('CUSTOMER_FUNDS_HELD')).toBe(0n);
    expect(books.balance('PSP_CLEARING')).toBe(10_000n);
    expect(books.balance('ESCROW')).toBe(8_800n);
    expect(books.balance('PLATFORM_FEE_ESCROW')).toBe(1_200n);
    expect(books.balance('PLATFORM_FEE_REVENUE')).toBe(0n);
    expect(books.verify()).toEqual([]);
  });

  it('delivery releases escrow: the merchant is owed its share and the platform earns its fee', () => {
    const books = new Books();
    const escrow = authorizeAndCapture(books, { amountMinor: 10_000n, currency: 'EUR' }, { amountMinor: 10_000n, currency: 'EUR' }, 1_200);
    const release = must(releaseEscrow(escrow, 'completed-evt', 'BOOKING_COMPLETED'));
    books.apply(release.entry);
    expect(release).toMatchObject({
      releasedAmount: { amountMinor: 10_000n },
      merchantAmount: { amountMinor: 8_800n },
      platformFee: { amountMinor: 1_200n },
      escrow: { status: 'RELEASED' },
    });
    expect(books.balance('ESCROW')).toBe(0n);
    expect(books.balance('PLATFORM_FEE_ESCROW')).toBe(0n);
    expect(books.balance('MERCHANT_PAYABLE')).toBe(8_800n);
    expect(books.balance('PLATFORM_FEE_REVENUE')).toBe(1_200n);
    expect(releaseEscrow(release.escrow, 'again', 'BOOKING_COMPLETED')).toMatchObject({ outcome: 'refused', refused: 'ESCROW_NOT_FUNDED' });
    expect(books.verify()).toEqual([]);
  });

  it('a disputed escrow is not released: the merchant is not paid while the chargeback is open', () => {
    const books = new Books();
    const escrow = authorizeAndCapture(books, { amountMinor: 10_000n, currency: 'EUR' }, { amountMinor: 10_000n, currency: 'EUR' }, 1_200);
    const disputed: Escrow = { ...escrow, disputedAt: new Date('2026-12-02T10:00:00Z') };
    expect(releaseEscrow(disputed, 'completed-evt', 'BOOKING_COMPLETED')).toMatchObject({ outcome: 'refused', refused: 'ESCROW_DISPUTED' });
    // A refund still comes out of it (the customer may be given the money back while disputed).
    expect(refundEscrow(disputed, 'refund-evt', { amountMinor: 1_000n, currency: 'EUR' }, 'GOODWILL')).toMatchObject({ outcome: 'applied' });
  });

  it('a cancellation before delivery refunds out of escrow, and the platform gives its fee back in proportion', () => {
    const books = new Books();
    let escrow = authorizeAndCapture(books, { amountMinor: 10_000n, currency: 'EUR' }, { amountMinor: 10_000n, currency: 'EUR' }, 1_200);
    const half = must(refundEscrow(escrow, 'refund-1', { amountMinor: 5_000n, currency: 'EUR' }, 'BOOKING_CANCELLED_AFTER_CAPTURE'));
    books.apply(half.entry);
    escrow = half.escrow;
    expect(half.entry).toMatchObject({ entryType: 'REFUND', reversesEntryId: 'captured-evt' });
    expect(books.balance('ESCROW')).toBe(4_400n);
    expect(books.balance('PLATFORM_FEE_ESCROW')).toBe(600n);
    expect(books.balance('PSP_CLEARING')).toBe(5_000n);

    const rest = must(refundEscrow(escrow, 'refund-2', { amountMinor: 5_000n, currency: 'EUR' }, 'BOOKING_CANCELLED_AFTER_CAPTURE'));
    books.apply(rest.entry);
    expect(rest.escrow.status).toBe('REFUNDED');
    for (const code of Object.keys(CHART_OF_ACCOUNTS) as AccountCode[]) expect(books.balance(code)).toBe(0n);
    expect(refundEscrow(rest.escrow, 'refund-3', { amountMinor: 1n, currency: 'EUR' }, 'x')).toMatchObject({
      outcome: 'refused',
      refused: 'REFUND_EXCEEDS_CAPTURE',
    });
    expect(releaseEscrow(rest.escrow, 'completed', 'BOOKING_COMPLETED')).toMatchObject({ outcome: 'refused', refused: 'ESCROW_NOT_FUNDED' });
    expect(books.verify()).toEqual([]);
  });

  it('a refund after delivery is taken from the merchant payable and books the fee give-back as fee refunds', () => {
    const books = new Books();
    const escrow = authorizeAndCapture(books, { amountMinor: 1_000n, currency: 'JPY' }, { amountMinor: 1_000n, currency: 'JPY' }, 300);
    const release = must(releaseEscrow(escrow, 'completed', 'BOOKING_COMPLETED'));
    books.apply(release.entry);
    const refund = must(refundEscrow(release.escrow, 'refund-1', { amountMinor: 1_000n, currency: 'JPY' }, 'GOODWILL'));
    books.apply(refund.entry);
    expect(books.balance('MERCHANT_PAYABLE', 'JPY')).toBe(0n);
    expect(books.balance('PLATFORM_FEE_REVENUE', 'JPY')).toBe(30n);
    expect(books.balance('PLATFORM_FEE_REFUNDS', 'JPY')).toBe(30n);
    expect(books.balance('PSP_CLEARING', 'JPY')).toBe(0n);
    expect(books.verify()).toEqual([]);
  });

  it('the partial release after a partial refund pays out only what is left in escrow', () => {
    const books = new Books();
    const escrow = authorizeAndCapture(books, { amountMinor: 9_999n, currency: 'KWD' }, { amountMinor: 9_999n, currency: 'KWD' }, 333);
    const refund = must(refundEscrow(escrow, 'refund-1', { amountMinor: 3_333n, currency: 'KWD' }, 'PARTIAL_CANCELLATION'));
    books.apply(refund.entry);
    const release = must(releaseEscrow(refund.escrow, 'completed', 'BOOKING_COMPLETED'));
    books.apply(release.entry);
    expect(release.releasedAmount.amountMinor).toBe(9_999n - 3_333n);
    expect(release.merchantAmount.amountMinor + release.platformFee.amountMinor).toBe(release.releasedAmount.amountMinor);
    expect(books.balance('ESCROW', 'KWD')).toBe(0n);
    expect(books.balance('PLATFORM_FEE_ESCROW', 'KWD')).toBe(0n);
    expect(books.verify()).toEqual([]);
  });

  it('refuses to capture a hold that is not an authorization, or in another currency than authorized', () => {
    const placed = must(
      authorizationHold(
        { holdId: 'h', tenantId: 'merchant-1', amount: { amountMinor: 100n, currency: 'EUR' }, expiresAt: null, reason: 'x', paymentId: 'p', bookingId: 'b' },
        NOW,
      ),
    );
    const capture = (captured: Money) => ({ entryId: 'c', escrowId: 'e', captured, ...feeAt(captured, 100), reason: 'x', now: NOW });
    expect(captureToEscrow(placed.after, capture({ amountMinor: 100n, currency: 'JPY' }))).toMatchObject({
      outcome: 'refused', refused: 'CURRENCY_MISMATCH',
    });
    expect(
      captureToEscrow({ ...placed.after, debitAccountId: acct('ESCROW') }, capture({ amountMinor: 100n, currency: 'EUR' })),
    ).toMatchObject({ outcome: 'refused', refused: 'UNKNOWN_ACCOUNT' });
  });

  it('books the fee the capture states, and refuses only a fee it cannot split: another currency, or more than the capture', () => {
    const placed = must(
      authorizationHold(
        { holdId: 'h', tenantId: 'merchant-1', amount: { amountMinor: 100n, currency: 'EUR' }, expiresAt: null, reason: 'x', paymentId: 'p', bookingId: 'b' },
        NOW,
      ),
    );
    const terms = { feeBps: 1_234, feeRule: 'MERCHANT_RATE/HALF_UP', feeScheduleVersion: 'fs-1' };
    const capture = (platformFee: Money) => ({ entryId: 'c', escrowId: 'e', captured: eur(100n), platformFee, terms, reason: 'x', now: NOW });
    // Whatever rate the ledger might have had: the fee is the payment service's, with its terms recorded.
    expect(must(captureToEscrow(placed.after, capture(eur(7n)))).escrow.split).toMatchObject({ platformFee: eur(7n), merchantShare: eur(93n), ...terms });
    expect(must(captureToEscrow(placed.after, capture(eur(100n)))).escrow.split.merchantShare).toEqual(eur(0n));
    expect(captureToEscrow(placed.after, capture(eur(101n)))).toMatchObject({ outcome: 'refused', refused: 'INVALID_FEE' });
    expect(captureToEscrow(placed.after, capture(eur(-1n)))).toMatchObject({ outcome: 'refused', refused: 'INVALID_FEE' });
    expect(captureToEscrow(placed.after, capture({ amountMinor: 1n, currency: 'USD' }))).toMatchObject({ outcome: 'refused', refused: 'CURRENCY_MISMATCH' });
  });
});
