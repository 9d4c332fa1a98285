import { CHART_OF_ACCOUNTS } from './accounts';
import { admit, applyHoldChange, availableBalance, NO_BALANCES, type Balances } from './balances';
import { expireHold, placeHold, postHold, voidHold, type Hold } from './holds';
import { postEntry } from './journal-entry';
import { acct, eur, IN_15_MINUTES, must, NOW } from './test-fixtures';

const LATER = new Date(NOW.getTime() + 60_000);

function authorization(amountMinor = 10_000n, expiresAt: Date | null = IN_15_MINUTES): Hold {
  return authorize(amountMinor, expiresAt).after;
}

function authorize(amountMinor: bigint, expiresAt: Date | null) {
  return must(
    placeHold(
      {
        holdId: 'hold-1',
        debitAccountId: acct('PSP_CLEARING'),
        creditAccountId: acct('CUSTOMER_FUNDS_HELD'),
        amount: eur(amountMinor),
        expiresAt,
        reason: 'PAYMENT_AUTHORIZED',
      },
      NOW,
    ),
  );
}

const post = (hold: Hold, amountMinor: bigint, now = LATER) =>
  postHold(hold, { entryId: 'captured-1', entryType: 'CAPTURE_TO_ESCROW', reason: 'PAYMENT_CAPTURED', amountMinor, now });

describe('two-phase holds', () => {
  it('a smaller capture posts only what was captured and releases the rest of the authorization', () => {
    const placed = authorize(10_000n, IN_15_MINUTES);
    const hold = placed.after;
    let balances = must(admit(NO_BALANCES, placed));
    expect(balances.get(acct('PSP_CLEARING'))?.debitsPendingMinor).toBe(10_000n);

    const posted = must(post(hold, 7_500n));
    expect(posted.after).toMatchObject({ status: 'POSTED', postedAmountMinor: 7_500n, entryId: 'captured-1' });
    balances = must(admit(balances, posted));
    expect(balances.get(acct('PSP_CLEARING'))).toMatchObject({ debitsPendingMinor: 0n, debitsPostedMinor: 7_500n });
    expect(balances.get(acct('CUSTOMER_FUNDS_HELD'))).toMatchObject({ creditsPendingMinor: 0n, creditsPostedMinor: 7_500n });
  });

  it('refuses to capture more than was authorized', () => {
    expect(post(authorization(10_000n), 10_001n)).toMatchObject({ outcome: 'refused', refused: 'POST_EXCEEDS_HOLD' });
  });

  it('refuses to post or void a hold twice', () => {
    const posted = must(post(authorization(), 100n)).after;
    expect(post(posted, 100n)).toMatchObject({ outcome: 'refused', refused: 'HOLD_NOT_PENDING' });
    expect(voidHold(posted, 'PAYMENT_VOIDED', LATER)).toMatchObject({ outcome: 'refused', refused: 'HOLD_NOT_PENDING' });
    const voided = must(voidHold(authorization(), 'PAYMENT_VOIDED', LATER)).after;
    expect(voided.status).toBe('VOIDED');
    expect(voidHold(voided, 'PAYMENT_VOIDED', LATER)).toMatchObject({ outcome: 'refused', refused: 'HOLD_NOT_PENDING' });
    expect(post(voided, 100n)).toMatchObject({ outcome: 'refused', refused: 'HOLD_NOT_PENDING' });
  });

  it('an expired authorization can no longer be captured or voided, only expired', () => {
    const hold = authorization(10_000n, IN_15_MINUTES);
    expect(post(hold, 100n, IN_15_MINUTES)).toMatchObject({ outcome: 'refused', refused: 'HOLD_EXPIRED' });
    expect(voidHold(hold, 'PAYMENT_VOIDED', IN_15_MINUTES)).toMatchObject({ outcome: 'refused', refused: 'HOLD_EXPIRED' });
    expect(expireHold(hold, LATER)).toMatchObject({ outcome: 'refused', refused: 'HOLD_NOT_EXPIRED' });
    expect(must(expireHold(hold, IN_15_MINUTES)).after).toMatchObject({ status: 'VOIDED', reason: 'HOLD_EXPIRED' });
    expect(must(post(authorization(10_000n, null), 100n, new Date('2999-01-01'))).after.status).toBe('POSTED');
  });

  it('refuses a hold that would already be expired, on accounts outside the chart, or in the wrong currency', () => {
    const input = {
      holdId: 'h',
      debitAccountId: acct('PSP_CLEARING'),
      creditAccountId: acct('CUSTOMER_FUNDS_HELD'),
      amount: eur(1n),
      expiresAt: NOW,
      reason: 'x',
    };
    expect(placeHold(input, NOW)).toMatchObject({ outcome: 'refused', refused: 'HOLD_EXPIRED' });
    expect(placeHold({ ...input, expiresAt: null, debitAccountId: 'nope' }, NOW)).toMatchObject({ outcome: 'refused', refused: 'UNKNOWN_ACCOUNT' });
    expect(placeHold({ ...input, expiresAt: null, amount: { amountMinor: 1n, currency: 'JPY' } }, NOW)).toMatchObject({
      outcome: 'refused', refused: 'CURRENCY_MISMATCH',
    });
    expect(placeHold({ ...input, expiresAt: null, amount: eur(0n) }, NOW)).toMatchObject({ outcome: 'refused', refused: 'INVALID_AMOUNT' });
  });

  it('a pending payout from escrow reduces what is available, and escrow cannot be overdrawn by pending holds', () => {
    const funding = must(
      postEntry({
        entryId: 'fund',
        entryType: 'ADJUSTMENT',
        reason: 'x',
        lines: [
          { accountId: acct('PSP_CLEARING'), side: 'DEBIT', amount: eur(1_000n) },
          { accountId: acct('ESCROW'), side: 'CREDIT', amount: eur(1_000n) },
        ],
      }),
    );
    let balances: Balances = must(admit(NO_BALANCES, funding));
    const escrowSide = CHART_OF_ACCOUNTS.ESCROW.normalSide;
    const pendingOut = (holdId: string, amountMinor: bigint) =>
      must(
        placeHold(
          { holdId, debitAccountId: acct('ESCROW'), creditAccountId: acct('MERCHANT_PAYABLE'), amount: eur(amountMinor), expiresAt: null, reason: 'x' },
          NOW,
        ),
      );
    balances = must(admit(balances, pendingOut('p1', 600n)));
    const escrow = balances.get(acct('ESCROW'));
    expect(escrow && availableBalance(escrow, escrowSide)).toBe(400n);
    expect(admit(balances, pendingOut('p2', 401n))).toMatchObject({ outcome: 'refused', refused: 'INSUFFICIENT_FUNDS' });
    const voided = must(voidHold(pendingOut('p1', 600n).after, 'x', NOW));
    const afterVoid = applyHoldChange(balances, voided).get(acct('ESCROW'));
    expect(afterVoid && availableBalance(afterVoid, escrowSide)).toBe(1_000n);
  });
});
