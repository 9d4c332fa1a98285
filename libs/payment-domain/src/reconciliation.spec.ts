import { reconcilePayments, type PaymentRecord, type PspIntentRecord } from './reconciliation';

const FROM = new Date('2026-12-01T00:00:00Z');
const TO = new Date('2026-12-02T00:00:00Z');
const IN = new Date('2026-12-01T12:00:00Z');
const window = { from: FROM, to: TO };

const payment = (id: string, over: Partial<PaymentRecord> = {}): PaymentRecord => ({ paymentId: id, tenantId: 't1', status: 'CAPTURED', amountMinor: 5_000n, currency: 'EUR', pspPaymentIntentId: `pi_${id}`, refundedMinor: 0n, callInFlight: false, ...over });
const intent = (id: string, over: Partial<PspIntentRecord> = {}): PspIntentRecord => ({ pspPaymentIntentId: `pi_${id}`, paymentId: id, status: 'succeeded', amountMinor: 5_000n, currency: 'eur', refundedMinor: 0n, createdAt: IN, ...over });

describe('reconciling the PSP\'s intents with our payments', () => {
  it('agrees when every intent is a payment in the state the PSP says', () => {
    const outcome = reconcilePayments([intent('a'), intent('b', { status: 'canceled' }), intent('c', { status: 'requires_capture' })], [payment('a'), payment('b', { status: 'VOIDED' }), payment('c', { status: 'AUTHORIZED' })], window);
    expect(outcome).toEqual({ findings: [], agreeing: ['a', 'b', 'c'], inFlight: [] });
  });

  it('finds what only one side has, amounts and currencies that differ, and two intents of one payment', () => {
    const { findings } = reconcilePayments(
      [intent('x', { paymentId: null }), intent('amount', { amountMinor: 4_999n }), intent('currency', { currency: 'usd' }), intent('dup'), intent('dup', { pspPaymentIntentId: 'pi_dup2' })],
      [payment('lost'), payment('amount'), payment('currency'), payment('dup')],
      window,
    );
    expect(findings.map((finding) => [finding.kind, finding.paymentId, finding.fix])).toEqual([
      ['MISSING_IN_PAYMENTS', null, null],
      ['MISSING_AT_PSP', 'lost', null],
      ['AMOUNT_MISMATCH', 'amount', null],
      ['CURRENCY_MISMATCH', 'currency', null],
      ['DUPLICATE', 'dup', null],
    ]);
  });

  it('asks for a sync where the PSP is ahead (a lost webhook, a refund we did not hear of), and leaves payments with a call in flight for the next run', () => {
    const outcome = reconcilePayments([intent('unknown'), intent('refunded', { refundedMinor: 1_000n }), intent('busy')], [payment('unknown', { status: 'OUTCOME_UNKNOWN' }), payment('refunded'), payment('busy', { status: 'AUTHORIZED', callInFlight: true })], window);
    expect(outcome.findings.map((finding) => [finding.kind, finding.paymentId, finding.fix])).toEqual([
      ['STATUS_MISMATCH', 'unknown', 'SYNC'],
      ['STATUS_MISMATCH', 'refunded', 'SYNC'],
    ]);
    expect(outcome.inFlight).toEqual(['busy']);
  });

  it('reads the PSP a little wider than the window: an intent outside it counts only for a payment inside it', () => {
    const early = new Date(FROM.getTime() - 1_000);
    const outcome = reconcilePayments([intent('edge', { createdAt: early }), intent('other', { createdAt: early, paymentId: 'not-in-window' })], [payment('edge')], window);
    expect(outcome).toEqual({ findings: [], agreeing: ['edge'], inFlight: [] });
  });

  it('does not expect an intent of a payment whose create never reached the PSP', () => {
    expect(reconcilePayments([], [payment('p', { status: 'OUTCOME_UNKNOWN', pspPaymentIntentId: null }), payment('f', { status: 'FAILED', pspPaymentIntentId: null })], window).findings).toEqual([]);
  });
});
