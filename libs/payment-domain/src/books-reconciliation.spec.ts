import fc from 'fast-check';
import { reconcileBooks, type BooksPaymentRecord, type BookingView, type LedgerView } from './books-reconciliation';

const CREATED = new Date('2026-12-01T12:00:00Z');
const judgement = { settledBefore: new Date('2026-12-01T13:00:00Z'), viewsSince: new Date('2026-12-01T00:00:00Z'), pspAgrees: new Set<string>(['a']) };

const payment = (id: string, over: Partial<BooksPaymentRecord> = {}): BooksPaymentRecord => ({
  paymentId: id,
  bookingId: `b-${id}`,
  tenantId: 't1',
  status: 'CAPTURED',
  currency: 'EUR',
  capturedMinor: 5_000n,
  refundedMinor: 0n,
  disputed: false,
  callInFlight: false,
  createdAt: CREATED,
  changedAt: CREATED,
  ...over,
});
const books = (over: Partial<LedgerView> = {}): LedgerView => ({ entries: 1, currencies: ['EUR'], clearingInMinor: 5_000n, clearingOutMinor: 0n, suspenseMinor: 0n, released: false, adjusted: false, holdPlaced: true, breaks: [], ...over });
const confirmed: BookingView = { status: 'CONFIRMED' };

function judge(records: readonly BooksPaymentRecord[], ledger: Record<string, LedgerView>, bookings: Record<string, BookingView>) {
  return reconcileBooks(records, new Map(Object.entries(ledger)), new Map(Object.entries(bookings)), judgement);
}

describe('reconciling payments with the ledger and the bookings', () => {
  it('agrees when the ledger shows what the PSP moved and the booking is where its payment says', () => {
    const outcome = judge(
      [payment('a'), payment('v', { status: 'VOIDED', capturedMinor: 0n }), payment('r', { status: 'REFUNDED', refundedMinor: 5_000n })],
      { a: books(), r: books({ clearingOutMinor: 5_000n }) },
      { 'b-a': confirmed, 'b-v': { status: 'CANCELLED' }, 'b-r': { status: 'CANCELLED' } },
    );
    expect(outcome).toEqual({ findings: [], agreeing: ['a', 'v', 'r'], notYetJudged: [] });
  });

  it('finds what the ledger lacks, books differently or in another currency', () => {
    const { findings } = judge(
      [payment('missing'), payment('amount'), payment('refund', { status: 'PARTIALLY_REFUNDED', refundedMinor: 1_000n }), payment('usd')],
      { amount: books({ clearingInMinor: 4_000n }), refund: books(), usd: books({ currencies: ['USD'] }) },
      { 'b-missing': confirmed, 'b-amount': confirmed, 'b-refund': confirmed, 'b-usd': confirmed },
    );
    expect(findings.map((found) => [found.kind, found.leg, found.paymentId])).toEqual([
      ['MISSING_IN_LEDGER', 'PAYMENTS_LEDGER', 'missing'],
      ['AMOUNT_MISMATCH', 'PAYMENTS_LEDGER', 'amount'],
      ['AMOUNT_MISMATCH', 'PAYMENTS_LEDGER', 'refund'],
      ['CURRENCY_MISMATCH', 'PAYMENTS_LEDGER', 'usd'],
    ]);
  });

  it('explains money on SUSPENSE from all three sides: a real capture whose authorization never reached the ledger', () => {
    const { findings } = judge(
      [payment('a')],
      { a: books({ suspenseMinor: 5_000n, holdPlaced: false, breaks: [{ kind: 'CAPTURE_UNPLACED', code: 'HOLD_NOT_FOUND', factEventType: 'PaymentCaptured', reason: 'no hold' }] }) },
      { 'b-a': confirmed },
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'IN_SUSPENSE', leg: 'PAYMENTS_LEDGER', detail: '5000 EUR of this payment is on SUSPENSE' });
    expect(findings[0]?.explanation).toContain('the PSP and the payment agree');
    expect(findings[0]?.explanation).toContain('CAPTURE_UNPLACED (HOLD_NOT_FOUND) on PaymentCaptured');
    expect(findings[0]?.explanation).toContain('never placed a hold');
  });

  it('finds the saga stuck: a confirmed booking whose payment was voided, a cancelled booking never refunded, a completed booking never released (unless a person placed its money), a capture for no booking', () => {
    const { findings } = judge(
      [payment('voided', { status: 'VOIDED', capturedMinor: 0n }), payment('kept'), payment('unreleased'), payment('orphan'), payment('disputed', { disputed: true }), payment('explained')],
      // 'explained': its capture went to SUSPENSE and a person moved it out by hand (ledger explain): answered, not stuck.
      { kept: books(), unreleased: books(), orphan: books(), disputed: books(), explained: books({ adjusted: true, holdPlaced: false }) },
      { 'b-voided': confirmed, 'b-kept': { status: 'CANCELLED' }, 'b-unreleased': { status: 'COMPLETED' }, 'b-disputed': { status: 'COMPLETED' }, 'b-explained': { status: 'COMPLETED' } },
    );
    expect(findings.map((found) => [found.kind, found.leg, found.paymentId])).toEqual([
      ['STATUS_MISMATCH', 'SAGA', 'voided'],
      ['STATUS_MISMATCH', 'SAGA', 'kept'],
      ['MISSING_IN_LEDGER', 'SAGA', 'unreleased'],
      ['MISSING_IN_BOOKINGS', 'SAGA', 'orphan'],
    ]);
  });

  it('does not judge a payment still moving, nor one older than the projections', () => {
    const outcome = judge([payment('recent', { changedAt: new Date('2026-12-01T13:00:01Z') }), payment('busy', { callInFlight: true }), payment('old', { createdAt: new Date('2026-11-30T00:00:00Z') })], {}, {});
    expect(outcome).toEqual({ findings: [], agreeing: ['old'], notYetJudged: ['recent', 'busy'] });
  });

  it('property: books that follow the payment exactly never make a finding; moving one cent always does', () => {
    const statuses = fc.constantFrom('AUTHORIZED', 'CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED', 'VOIDED') satisfies fc.Arbitrary<BooksPaymentRecord['status']>;
    fc.assert(
      fc.property(statuses, fc.bigInt({ min: 1n, max: 1_000_000n }), fc.bigInt({ min: 0n, max: 1_000_000n }), fc.boolean(), (status, captured, refundSeed, off) => {
        const moved = ['CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED'].includes(status);
        const refunded = !moved ? 0n : status === 'REFUNDED' ? captured : status === 'PARTIALLY_REFUNDED' ? refundSeed % captured : 0n;
        const record = payment('p', { status, capturedMinor: moved ? captured : 0n, refundedMinor: refunded });
        const kept = (moved ? captured : 0n) - refunded;
        const booking: BookingView = { status: kept > 0n ? 'CONFIRMED' : status === 'AUTHORIZED' ? 'HELD' : 'CANCELLED' };
        const view = books({ entries: moved ? 1 : 0, clearingInMinor: (moved ? captured : 0n) + (off ? 1n : 0n), clearingOutMinor: refunded });
        const outcome = judge([record], { p: view }, { 'b-p': booking });
        expect(outcome.findings.length).toBe(off ? 1 : 0);
      }),
    );
  });
});
