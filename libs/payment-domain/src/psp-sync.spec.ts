import type { Actor } from '@txn/contracts';
import { money } from '@txn/money';
import { createPayment, recordAuthorizationResult } from './authorization';
import { recordCaptureResult, requestCapture, requestVoid } from './capture-and-void';
import type { PspIntentSnapshot } from './outcome-query';
import { needsAttention, type Payment, type PaymentDecision, type PaymentEvent } from './payment';
import { requestRefund } from './refunds';
import { EXTERNAL_REFUND_REASON, notePspEvent, reconcileWithPsp, recordDispute, type ObservedRefund, type PspEventFacts, type PspSyncOutcome } from './psp-sync';

const US: Actor = { type: 'SERVICE', id: 'payment' };
const PSP: Actor = { type: 'SYSTEM', id: 'psp:stripe' };
const NOW = new Date('2026-12-02T10:00:00Z');
const ctx = { now: NOW, actor: US };
const EUR = (minor: bigint) => money(minor, 'EUR');
const PI = 'pi_sync';

function state(decision: PaymentDecision): Payment {
  if (decision.outcome !== 'applied') throw new Error(`expected applied, got ${decision.outcome}`);
  return decision.state;
}

const pending = (): Payment => state(createPayment({ paymentId: '00000000-0000-4000-8000-0000000000aa', bookingId: 'b-sync', tenantId: 't1', amount: EUR(10_000n), feeTerms: { bps: 1_000, rule: 'DEFAULT_RATE/HALF_UP', scheduleVersion: 'fs' } }, ctx));
const authorized = (): Payment => state(recordAuthorizationResult(pending(), { kind: 'authorized', via: 'PSP_RESPONSE', pspPaymentIntentId: PI, authorizedAmount: EUR(10_000n), authorizationExpiresAt: null, authorizedAt: null }, ctx));
const captured = (): Payment => state(recordCaptureResult(state(requestCapture(authorized(), ctx)), { kind: 'captured', via: 'PSP_RESPONSE', pspChargeId: 'ch_1', capturedAmount: EUR(10_000n) }, ctx));

const event = (pspEventType: string, pspObjectType: string, pspStatus: string | null, extra: Partial<PspEventFacts> = {}): PspEventFacts => ({ pspEventId: 'evt_1', pspEventType, pspObjectType, pspStatus, pspRefundId: null, amount: null, ...extra });
const SUCCEEDED: PspIntentSnapshot = { pspStatus: 'succeeded', pspPaymentIntentId: PI, pspChargeId: 'ch_1', capturedAmount: EUR(10_000n) };
const CANCELED: PspIntentSnapshot = { pspStatus: 'canceled', pspPaymentIntentId: PI };
const REQUIRES_CAPTURE: PspIntentSnapshot = { pspStatus: 'requires_capture', pspPaymentIntentId: PI, authorizedAmount: EUR(10_000n), authorizationExpiresAt: null, authorizedAt: null };
const refundAtPsp = (pspRefundId: string, refundId: string | null, amountMinor: bigint, status = 'succeeded'): ObservedRefund => ({ pspRefundId, refundId, status, amount: EUR(amountMinor), createdAt: NOW });

function eventsOf(decision: PaymentDecision): readonly PaymentEvent[] {
  return decision.outcome === 'applied' ? decision.events : [];
}

/** A PSP event that is news, then the sync that applies what the PSP holds. */
function sync(payment: Payment, intent: PspIntentSnapshot, refunds: readonly ObservedRefund[] = []): PspSyncOutcome {
  const asked = state(notePspEvent(payment, event('payment_intent.updated', 'charge', 'x', { pspEventType: 'charge.refunded', amount: EUR(1n) }), ctx));
  return reconcileWithPsp(asked, { intent, refunds, requestsSeen: asked.pspSync?.requests ?? 0, pspActor: PSP }, ctx);
}

describe('a PSP event is a hint; what the PSP holds is applied', () => {
  it('is stale when our state already says it (the usual echo of our own call), and asks for a sync when it is news', () => {
    expect(notePspEvent(authorized(), event('payment_intent.amount_capturable_updated', 'payment_intent', 'requires_capture'), ctx)).toMatchObject({ outcome: 'stale', stale: 'ALREADY_REFLECTED' });
    expect(notePspEvent(captured(), event('payment_intent.amount_capturable_updated', 'payment_intent', 'requires_capture'), ctx)).toMatchObject({ outcome: 'stale' });
    expect(notePspEvent(authorized(), event('customer.created', 'customer', null), ctx)).toMatchObject({ outcome: 'stale', stale: 'NOTHING_TO_APPLY' });
    const asked = state(notePspEvent(authorized(), event('payment_intent.succeeded', 'payment_intent', 'succeeded'), ctx));
    expect(asked.pspSync).toMatchObject({ nextQueryAt: NOW, requests: 1, cause: 'payment_intent.succeeded evt_1' });
    expect(asked.status).toBe('AUTHORIZED');
    // More news while the sync waits: asked again (the fetch under way may predate it).
    expect(state(notePspEvent(asked, event('charge.refunded', 'charge', 'succeeded', { amount: EUR(500n) }), ctx)).pspSync?.requests).toBe(2);
  });

  it('settles our own capture from the PSP when its answer has not come (the saga and the webhook are one writer)', () => {
    const capturing = state(requestCapture(authorized(), ctx));
    const { decision, breaks } = sync(capturing, SUCCEEDED);
    expect(eventsOf(decision).map((e) => [e.eventType, e.actor])).toEqual([['PaymentCaptured', US]]);
    expect(state(decision)).toMatchObject({ status: 'CAPTURED', inFlight: null, pspSync: null });
    expect(breaks).toEqual([]);
    // The saga's own answer, arriving afterwards, is stale: one capture.
    expect(recordCaptureResult(state(decision), { kind: 'captured', via: 'PSP_RESPONSE', pspChargeId: 'ch_1', capturedAmount: EUR(10_000n) }, ctx).outcome).toBe('stale');
  });

  it('applies a cancellation made at the PSP as the PSP\'s act, and never un-voids afterwards', () => {
    const { decision } = sync(authorized(), CANCELED);
    expect(eventsOf(decision).map((e) => [e.eventType, e.actor, (e.payload as { reason: string }).reason])).toEqual([['PaymentVoided', PSP, 'PSP_WEBHOOK']]);
    const voided = state(decision);
    expect(requestCapture(voided, ctx).outcome).toBe('stale');
    expect(sync(voided, REQUIRES_CAPTURE).breaks).toEqual([{ kind: 'STATUS_MISMATCH', detail: "payment is VOIDED, the PSP's intent is requires_capture" }]);
  });

  it('books a refund made on the PSP dashboard as a refund by the PSP, once, however often it is seen', () => {
    const { decision } = sync(captured(), SUCCEEDED, [refundAtPsp('re_dash', null, 2_500n)]);
    expect(eventsOf(decision).map((e) => [e.eventType, e.actor, (e.payload as { reason: string }).reason])).toEqual([['PaymentRefunded', PSP, EXTERNAL_REFUND_REASON]]);
    const refunded = state(decision);
    expect(refunded).toMatchObject({ status: 'PARTIALLY_REFUNDED', refunds: [{ status: 'SUCCEEDED', pspRefundId: 're_dash', amount: EUR(2_500n) }] });
    expect(eventsOf(sync(refunded, SUCCEEDED, [refundAtPsp('re_dash', null, 2_500n)]).decision)).toEqual([]);
  });

  it('settles our refund from the PSP\'s list, and raises a break for a dashboard refund that does not fit', () => {
    const refunding = state(requestRefund(captured(), { refundId: 'r-ours', amount: EUR(8_000n), reason: 'CANCELLED' }, ctx));
    const { decision, breaks } = sync(refunding, SUCCEEDED, [refundAtPsp('re_ours', 'r-ours', 8_000n), refundAtPsp('re_dash', null, 5_000n)]);
    expect(eventsOf(decision).map((e) => e.eventType)).toEqual(['PaymentRefunded']);
    expect(state(decision).refunds).toMatchObject([{ refundId: 'r-ours', status: 'SUCCEEDED', pspRefundId: 're_ours' }]);
    expect(breaks).toMatchObject([{ kind: 'REFUND_EXCEEDS_CAPTURE' }]);
  });

  it('walks an authorization we never heard of through to the capture the PSP made (events in order)', () => {
    const { decision } = sync(pending(), SUCCEEDED);
    expect(eventsOf(decision).map((e) => [e.eventType, e.aggregateVersion])).toEqual([['PaymentAuthorized', 1n], ['PaymentCaptured', 2n]]);
  });

  it('captured while we asked for a void: the money was taken, and the released booking refunds it', () => {
    const voiding = state(requestVoid(authorized(), 'BOOKING_EXPIRED', ctx));
    const { decision } = sync(voiding, SUCCEEDED);
    expect(eventsOf(decision).map((e) => [e.eventType, e.actor])).toEqual([['PaymentCaptured', PSP]]);
  });

  it('announces a dispute of captured money once, as the PSP\'s act, and the payment needs a person from then on', () => {
    const dispute = { pspDisputeId: 'dp_1', pspEventType: 'charge.dispute.created', pspChargeId: 'ch_1', amount: EUR(10_000n), status: 'needs_response' };
    const decision = recordDispute(captured(), dispute, { ...ctx, pspActor: PSP });
    expect(eventsOf(decision).map((e) => [e.eventType, e.actor, e.payload.statusBefore, e.payload.statusAfter])).toEqual([['PaymentDisputed', PSP, 'CAPTURED', 'CAPTURED']]);
    expect(needsAttention(state(decision))).toBe(true);
    expect(recordDispute(state(decision), dispute, { ...ctx, pspActor: PSP })).toMatchObject({ outcome: 'stale', stale: 'DISPUTE_ALREADY_RECORDED' });
    expect(recordDispute(authorized(), dispute, { ...ctx, pspActor: PSP })).toMatchObject({ outcome: 'stale', stale: 'NOTHING_CAPTURED_TO_HOLD' });
  });

  it('counts an unreachable PSP as a query on the bounded schedule, and keeps a sync asked again during the fetch', () => {
    const asked = state(notePspEvent(authorized(), event('payment_intent.succeeded', 'payment_intent', 'succeeded'), ctx));
    const unreachable = state(reconcileWithPsp(asked, { intent: { pspStatus: 'unreachable' }, refunds: [], requestsSeen: 1, pspActor: PSP }, ctx).decision);
    expect(unreachable.pspSync).toMatchObject({ attempts: 1, requests: 1 });
    expect(unreachable.pspSync?.nextQueryAt?.getTime()).toBeGreaterThan(NOW.getTime());
    const again = state(notePspEvent(asked, event('charge.captured', 'charge', 'succeeded'), ctx));
    const applied = state(reconcileWithPsp(again, { intent: SUCCEEDED, refunds: [], requestsSeen: 1, pspActor: PSP }, ctx).decision);
    expect(applied.status).toBe('CAPTURED');
    expect(applied.pspSync).toMatchObject({ requests: 2, nextQueryAt: NOW });
  });
});
