import fc from 'fast-check';
import { type CurrencyCode } from '@txn/money';
import { accountId, CHART_OF_ACCOUNTS, parseAccountId, type AccountCode, type AccountDefinition } from './accounts';
import { admit, availableBalance, BALANCE_FIELDS, NO_BALANCES, zeroBalance, type AccountBalance, type Balances } from './balances';
import { authorizationHold, captureToEscrow, refundEscrow, releaseEscrow, type Escrow } from './escrow';
import { expireHold, placeHold, postHold, voidHold, type Hold, type HoldChange } from './holds';
import { netByCurrency, type JournalEntry } from './journal-entry';
import { type Checked } from '@txn/domain-kernel';
import { type LedgerErrorCode } from './errors';
import { feeAt, NOW } from './test-fixtures';
import { verify } from './verify';

/**
 * Model-based: random interleavings of the saga's ledger operations over several bookings, tenants and
 * currencies (JPY, EUR, KWD), applied the way the ledger service would (refusals change nothing).
 */

const BOOKINGS = 6;
const CURRENCIES: CurrencyCode[] = ['JPY', 'EUR', 'KWD'];
const ACCOUNT_CODES = Object.keys(CHART_OF_ACCOUNTS) as AccountCode[];

type Op =
  | { kind: 'authorize'; booking: number; amountMinor: bigint; ttl_ms: number }
  | { kind: 'capture'; booking: number; permille: number; feeBps: number }
  | { kind: 'void'; booking: number }
  | { kind: 'expire'; booking: number }
  | { kind: 'release'; booking: number }
  /** A share of the captured amount, up to 110 % so that over-refunds are attempted too. */
  | { kind: 'refund'; booking: number; permille: number }
  | { kind: 'advance'; by_ms: number }
  /** A generic two-phase transfer between any two accounts of the chart (e.g. a pending payout). */
  | { kind: 'pendingTransfer'; from: AccountCode; to: AccountCode; currency: CurrencyCode; amountMinor: bigint }
  | { kind: 'settleTransfer'; pick: number; permille: number; voidIt: boolean };

const booking = fc.integer({ min: 0, max: BOOKINGS - 1 });
const permille = fc.integer({ min: 0, max: 1_100 });
/** Weighted towards captures and refunds so that most runs reach escrow and its refund/release races. */
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('authorize' as const), booking, amountMinor: fc.bigInt({ min: 1n, max: 10n ** 9n }), ttl_ms: fc.integer({ min: 1, max: 3_600_000 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('capture' as const), booking, permille, feeBps: fc.integer({ min: 0, max: 10_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('void' as const), booking }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), booking }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), booking }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('refund' as const), booking, permille }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), by_ms: fc.integer({ min: 1, max: 1_800_000 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('pendingTransfer' as const),
      from: fc.constantFrom(...ACCOUNT_CODES),
      to: fc.constantFrom(...ACCOUNT_CODES),
      currency: fc.constantFrom(...CURRENCIES),
      amountMinor: fc.bigInt({ min: 1n, max: 10n ** 9n }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('settleTransfer' as const), pick: fc.nat(), permille, voidIt: fc.boolean() }) },
);

interface BookingMoney {
  hold: Hold | null;
  escrow: Escrow | null;
  acceptedRefundsMinor: bigint;
}

class Ledger {
  now = NOW;
  balances: Balances = NO_BALANCES;
  entries: JournalEntry[] = [];
  holds = new Map<string, Hold>();
  bookings: BookingMoney[] = Array.from({ length: BOOKINGS }, () => ({ hold: null, escrow: null, acceptedRefundsMinor: 0n }));
  private sequence = 0;

  private nextId(prefix: string): string {
    this.sequence += 1;
    return `${prefix}-${this.sequence}`;
  }

  /** Writes a change only if the ledger admits it; a refusal leaves everything as it was. */
  private write(change: HoldChange | JournalEntry): boolean {
    const admitted = admit(this.balances, change);
    if (admitted.outcome !== 'applied') return false;
    this.balances = admitted.value;
    if ('lines' in change) this.entries.push(change);
    else {
      this.holds.set(change.after.holdId, change.after);
      if (change.entry !== null) this.entries.push(change.entry);
    }
    return true;
  }

  private accept<T>(result: Checked<T, LedgerErrorCode>, then: (value: T) => void): void {
    if (result.outcome === 'applied') then(result.value);
  }

  transfers: Hold[] = [];

  run(step: Op): void {
    if (step.kind === 'advance') {
      this.now = new Date(this.now.getTime() + step.by_ms);
      return;
    }
    if (step.kind === 'pendingTransfer' || step.kind === 'settleTransfer') {
      this.runTransfer(step);
      return;
    }
    const money = this.bookings[step.booking] as BookingMoney;
    const currency = CURRENCIES[step.booking % CURRENCIES.length] as CurrencyCode;
    const tenantId = `tenant-${step.booking % 2}`;
    switch (step.kind) {
      case 'authorize':
        this.authorize(step, money, currency, tenantId);
        return;
      case 'capture':
        this.capture(step, money, currency);
        return;
      case 'void':
        if (money.hold === null) return;
        this.accept(voidHold(money.hold, 'PAYMENT_VOIDED', this.now), (change) => {
          if (this.write(change)) money.hold = change.after;
        });
        return;
      case 'expire':
        if (money.hold === null) return;
        this.accept(expireHold(money.hold, this.now), (change) => {
          if (this.write(change)) money.hold = change.after;
        });
        return;
      case 'release':
        if (money.escrow === null) return;
        this.accept(releaseEscrow(money.escrow, this.nextId('release'), 'BOOKING_COMPLETED'), (release) => {
          if (this.write(release.entry)) money.escrow = release.escrow;
        });
        return;
      case 'refund':
        this.refund(step, money, currency);
        return;
    }
  }

  private authorize(step: Extract<Op, { kind: 'authorize' }>, money: BookingMoney, currency: CurrencyCode, tenantId: string): void {
    if (money.hold !== null) return; // one authorization per booking, as in the saga
    const result = authorizationHold(
      {
        holdId: this.nextId('hold'),
        tenantId,
        amount: { amountMinor: step.amountMinor, currency },
        expiresAt: new Date(this.now.getTime() + step.ttl_ms),
        reason: 'PAYMENT_AUTHORIZED',
        paymentId: `pay-${step.booking}`,
        bookingId: `book-${step.booking}`,
      },
      this.now,
    );
    this.accept(result, (change) => {
      if (this.write(change)) money.hold = change.after;
    });
  }

  private capture(step: Extract<Op, { kind: 'capture' }>, money: BookingMoney, currency: CurrencyCode): void {
    if (money.hold === null) return;
    const capturedMinor = (money.hold.amount.amountMinor * BigInt(step.permille)) / 1000n;
    const result = captureToEscrow(money.hold, {
      entryId: this.nextId('capture'),
      escrowId: `escrow-${step.booking}`,
      captured: { amountMinor: capturedMinor, currency },
      ...feeAt({ amountMinor: capturedMinor, currency }, step.feeBps),
      reason: 'PAYMENT_CAPTURED',
      now: this.now,
    });
    if (capturedMinor > money.hold.amount.amountMinor || capturedMinor === 0n) expect(result.outcome === 'applied').toBe(false);
    this.accept(result, ({ holdChange, escrow }) => {
      if (this.write(holdChange)) {
        money.hold = holdChange.after;
        money.escrow = escrow;
      }
    });
  }

  private refund(step: Extract<Op, { kind: 'refund' }>, money: BookingMoney, currency: CurrencyCode): void {
    if (money.escrow === null) return;
    const amountMinor = (money.escrow.split.captured.amountMinor * BigInt(step.permille)) / 1000n;
    const result = refundEscrow(money.escrow, this.nextId('refund'), { amountMinor, currency }, 'BOOKING_CANCELLED');
    if (money.acceptedRefundsMinor + amountMinor > money.escrow.split.captured.amountMinor) {
      expect(result).toMatchObject({ outcome: 'refused', refused: 'REFUND_EXCEEDS_CAPTURE' });
    }
    this.accept(result, (refund) => {
      if (this.write(refund.entry)) {
        money.escrow = refund.escrow;
        money.acceptedRefundsMinor += amountMinor;
      }
    });
  }

  private runTransfer(step: Extract<Op, { kind: 'pendingTransfer' | 'settleTransfer' }>): void {
    if (step.kind === 'pendingTransfer') {
      const tenantId = 'tenant-0';
      const result = placeHold(
        {
          holdId: this.nextId('transfer'),
          debitAccountId: accountId({ code: step.from, tenantId, currency: step.currency }),
          creditAccountId: accountId({ code: step.to, tenantId, currency: step.currency }),
          amount: { amountMinor: step.amountMinor, currency: step.currency },
          expiresAt: null,
          reason: 'PENDING_TRANSFER',
        },
        this.now,
      );
      this.accept(result, (change) => {
        if (this.write(change)) this.transfers.push(change.after);
      });
      return;
    }
    const index = step.pick % Math.max(this.transfers.length, 1);
    const hold = this.transfers[index];
    if (hold === undefined) return;
    const result = step.voidIt
      ? voidHold(hold, 'TRANSFER_CANCELLED', this.now)
      : postHold(hold, {
          entryId: this.nextId('transfer-post'),
          entryType: 'ADJUSTMENT',
          reason: 'TRANSFER_POSTED',
          amountMinor: (hold.amount.amountMinor * BigInt(step.permille)) / 1000n,
          now: this.now,
        });
    this.accept(result, (change) => {
      if (this.write(change)) this.transfers[index] = change.after;
    });
  }
}

/** Balances recomputed from scratch by plain summation, independently of applyEntry/applyHoldChange. */
function independentBalances(entries: readonly JournalEntry[], holds: Iterable<Hold>): Map<string, AccountBalance> {
  const out = new Map<string, AccountBalance>();
  const add = (accountId: string, currency: CurrencyCode, field: (typeof BALANCE_FIELDS)[number], amountMinor: bigint) => {
    const current = out.get(accountId) ?? {
      accountId,
      currency,
      debitsPostedMinor: 0n,
      creditsPostedMinor: 0n,
      debitsPendingMinor: 0n,
      creditsPendingMinor: 0n,
    };
    out.set(accountId, { ...current, [field]: current[field] + amountMinor });
  };
  for (const entry of entries) {
    for (const line of entry.lines) {
      add(line.accountId, line.amount.currency, line.side === 'DEBIT' ? 'debitsPostedMinor' : 'creditsPostedMinor', line.amount.amountMinor);
    }
  }
  for (const hold of holds) {
    if (hold.status !== 'PENDING') continue;
    add(hold.debitAccountId, hold.amount.currency, 'debitsPendingMinor', hold.amount.amountMinor);
    add(hold.creditAccountId, hold.amount.currency, 'creditsPendingMinor', hold.amount.amountMinor);
  }
  return out;
}

function definitionOf(accountId: string): AccountDefinition {
  const account = parseAccountId(accountId);
  if (account.outcome !== 'applied') throw new Error(account.detail);
  return CHART_OF_ACCOUNTS[account.value.code];
}

function assertInvariants(ledger: Ledger): void {
  for (const entry of ledger.entries) {
    for (const net of netByCurrency(entry.lines).values()) expect(net).toBe(0n);
  }
  const totals = new Map<CurrencyCode, { posted: bigint; pending: bigint }>();
  for (const b of ledger.balances.values()) {
    const t = totals.get(b.currency) ?? { posted: 0n, pending: 0n };
    totals.set(b.currency, {
      posted: t.posted + b.debitsPostedMinor - b.creditsPostedMinor,
      pending: t.pending + b.debitsPendingMinor - b.creditsPendingMinor,
    });
  }
  for (const t of totals.values()) expect(t).toEqual({ posted: 0n, pending: 0n });

  const expected = independentBalances(ledger.entries, ledger.holds.values());
  for (const [accountId, balance] of ledger.balances) {
    // A voided hold leaves an all-zero row behind; the independent sum has no row: both mean zero.
    const truth = expected.get(accountId) ?? zeroBalance(accountId, balance.currency);
    const definition = definitionOf(accountId);
    // The oracle: what may still leave the account = posted on its normal side, minus pending outflows.
    const postedNormal =
      definition.normalSide === 'DEBIT'
        ? truth.debitsPostedMinor - truth.creditsPostedMinor
        : truth.creditsPostedMinor - truth.debitsPostedMinor;
    const pendingOut = definition.normalSide === 'DEBIT' ? truth.creditsPendingMinor : truth.debitsPendingMinor;
    expect(availableBalance(balance, definition.normalSide)).toBe(postedNormal - pendingOut);
    // Escrow accounts carry a limit: pending included, they never go below zero available.
    if (definition.limit !== 'NONE') expect(availableBalance(balance, definition.normalSide)).toBeGreaterThanOrEqual(0n);
  }
  for (const money of ledger.bookings) {
    if (money.escrow === null) continue;
    expect(money.escrow.refundedMinor).toBe(money.acceptedRefundsMinor);
    expect(money.acceptedRefundsMinor).toBeLessThanOrEqual(money.escrow.split.captured.amountMinor);
    expect(money.escrow.refundedPlatformFeeMinor).toBeLessThanOrEqual(money.escrow.split.platformFee.amountMinor);
  }
  expect(verify({ entries: ledger.entries, holds: [...ledger.holds.values()] }, ledger.balances)).toEqual([]);
}

// size 'max': the default small size would rarely get past authorizations into refund/release races.
const opSequence = fc.array(op, { minLength: 1, maxLength: 60, size: 'max' });

describe('the ledger under random saga interleavings', () => {
  it('keeps every currency at zero, available balances exact, refunds within captures, and verify clean after every step', () => {
    fc.assert(
      fc.property(opSequence, (ops) => {
        const ledger = new Ledger();
        for (const step of ops) {
          ledger.run(step);
          assertInvariants(ledger);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('verify names the account of any single corrupted balance counter', () => {
    fc.assert(
      fc.property(
        opSequence,
        fc.nat(),
        fc.constantFrom(...BALANCE_FIELDS),
        fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }).filter((d) => d !== 0n),
        (ops, pick, field, delta) => {
          const ledger = new Ledger();
          for (const step of ops) ledger.run(step);
          const accounts = [...ledger.balances.keys()];
          fc.pre(accounts.length > 0);
          const accountId = accounts[pick % accounts.length] as string;
          const corrupted = new Map(ledger.balances);
          const original = corrupted.get(accountId) as AccountBalance;
          corrupted.set(accountId, { ...original, [field]: original[field] + delta });
          const found = verify({ entries: ledger.entries, holds: [...ledger.holds.values()] }, corrupted);
          expect(found).toContainEqual(expect.objectContaining({ kind: 'BALANCE_MISMATCH', accountId, field }));
          // One counter off also breaks the currency's zero sum: the total-only check alone would catch it.
          expect(found).toContainEqual(expect.objectContaining({ kind: 'CURRENCY_NOT_ZERO', currency: original.currency }));
        },
      ),
      { numRuns: 100 },
    );
  });
});
