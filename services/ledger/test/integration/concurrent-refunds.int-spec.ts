import { type SuiteScope } from '@txn/testing';
import { verifyLedger } from '../../src';
import { onPaymentAuthorized, onPaymentCaptured, onPaymentRefunded, type LedgerHandling } from './handlers';
import { LedgerDatabase, ledgerSuite, PaymentStory } from './support';

const CAPTURED_MINOR = 10_000n;
const REFUNDS = 20;
const REFUND_MINOR = 700n;
/** 14 × 7.00 = 98.00 fits in 100.00; the 15th would not. */
const FITTING_REFUNDS = Number(CAPTURED_MINOR / REFUND_MINOR);

describe('ledger: concurrent refunds against one captured payment', () => {
  let scope: SuiteScope;
  let db: LedgerDatabase;

  beforeAll(async () => {
    scope = await ledgerSuite('ledger-refunds');
    db = await LedgerDatabase.create(scope, 'refunds');
  });

  afterAll(async () => {
    await db?.dispose();
    await scope?.dispose();
  });

  it(`${REFUNDS} refunds at once never take more than the capture, and the ledger still verifies`, async () => {
    const story = new PaymentStory();
    await db.inTx((tx) => onPaymentAuthorized(tx, story.authorized(CAPTURED_MINOR)));
    await db.inTx((tx) => onPaymentCaptured(tx, story.captured(CAPTURED_MINOR)));

    const events = Array.from({ length: REFUNDS }, (_, i) => story.refunded(REFUND_MINOR, i + 1));
    // All at once, each in its own transaction on its own connection (the pool runs 10 at a time).
    const results: LedgerHandling[] = await Promise.all(events.map((event) => db.inTx((tx) => onPaymentRefunded(tx, event))));

    const applied = results.filter((r) => r.outcome === 'applied');
    // The PSP says it gave the rest back too: a fact, so it is booked out of SUSPENSE with a break, never out of escrow.
    const broken = results.filter((r) => r.outcome === 'break');
    expect(applied).toHaveLength(FITTING_REFUNDS);
    expect(broken).toHaveLength(REFUNDS - FITTING_REFUNDS);
    for (const r of broken) expect(r.events[0]).toMatchObject({ eventType: 'LedgerBreakRaised', payload: { kind: 'REFUND_UNPLACED', code: 'REFUND_EXCEEDS_CAPTURE' } });

    // What left through the PSP, summed from the journal itself.
    const { rows } = await db.pool.query<{ refunded: string; entries: string }>(
      `SELECT coalesce(sum(l.amount_minor), 0)::text AS refunded, count(DISTINCT e.entry_id)::text AS entries
         FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.entry_id
        WHERE e.entry_type = 'REFUND' AND e.payment_id = $1 AND l.account_id = $2 AND l.side = 'CREDIT'`,
      [story.paymentId, story.account('PSP_CLEARING')],
    );
    const refunded = BigInt(rows[0]?.refunded ?? '-1');
    expect(refunded).toBeLessThanOrEqual(CAPTURED_MINOR);
    expect(refunded).toBe(REFUND_MINOR * BigInt(FITTING_REFUNDS));
    expect(Number(rows[0]?.entries)).toBe(FITTING_REFUNDS);
    const escrow = await db.pool.query<{ refunded_minor: string; version: string }>('SELECT refunded_minor, version FROM escrows WHERE escrow_id = $1', [story.paymentId]);
    expect(escrow.rows[0]).toEqual({ refunded_minor: refunded.toString(), version: String(1 + FITTING_REFUNDS) });

    const report = await verifyLedger(db.pool);
    expect(report.findings).toEqual([]);
  });
});
