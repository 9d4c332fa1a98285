import fc from 'fast-check';
import type { Actor } from '@txn/contracts';
import { money } from '@txn/money';
import { createPayment, recordAuthorizationResult } from './authorization';
import { recordCaptureResult, recordVoidResult, requestCapture, requestVoid } from './capture-and-void';
import { pspIdempotencyKey } from './idempotency-key';
import { resolveOutcomeByQuery, resolveRefundByQuery, type PspIntentSnapshot } from './outcome-query';
import { isTerminalPayment, MAX_REFUNDS_PER_PAYMENT, needsAttention, refundableMinor, refundedMinor, type Payment, type PaymentDecision, type PspCall } from './payment';
import { recordRefundResult, requestRefund } from './refunds';
import { onBookingConfirmed, onBookingReleased } from './saga';
import { notePspEvent, reconcileWithPsp, type ObservedRefund } from './psp-sync';
import { PAYMENT_TRANSITIONS } from './transition';

const ACTOR: Actor = { type: 'SERVICE', id: 'payment' };
const PSP: Actor = { type: 'SYSTEM', id: 'psp:stripe' };
const PAYMENT_ID = '7d3c1d3e-0000-4000-8000-000000000001';
const AMOUNT_MINOR = 10_000n;
const EUR = (minor: bigint) => money(minor, 'EUR');
const REFUND_IDS = ['r1', 'r2', 'r3', 'r4'];
const PI = 'pi_1';

/** PSP events as the ingress normalises them: [type, object type, status]. */
const PSP_EVENTS = [
  ['payment_intent.amount_capturable_updated', 'payment_intent', 'requires_capture'],
  ['payment_intent.succeeded', 'payment_intent', 'succeeded'],
  ['payment_intent.canceled', 'payment_intent', 'canceled'],
  ['payment_intent.payment_failed', 'payment_intent', 'requires_payment_method'],
  ['payment_intent.requires_action', 'payment_intent', 'requires_action'],
  ['charge.captured', 'charge', 'succeeded'],
  ['charge.refunded', 'charge', 'succeeded'],
  ['refund.updated', 'refund', 'succeeded'],
  ['customer.created', 'customer', null],
] as const;
/** Refunds a PSP may list: ours (metadata refund_id r1..) and ones made on its dashboard. */
const observedRefund = fc.record({
  pspRefundId: fc.constantFrom('re_r1', 're_r2', 're_x1', 're_x2'),
  ours: fc.boolean(),
  status: fc.constantFrom('succeeded', 'succeeded', 'pending', 'failed', 'canceled'),
  amountMinor: fc.bigInt({ min: 1n, max: AMOUNT_MINOR }),
});

/** Random facts and commands, in any order, any number of times: what at-least-once delivery and a flaky PSP can produce. */
// Weighted so that runs get past authorization and capture often enough to exercise refunds.
const action = fc.oneof(
  { weight: 3, arbitrary: fc.record({ type: fc.constant('authorization' as const), kind: fc.constantFrom('authorized', 'authorized', 'authorized', 'requires_action', 'declined', 'unknown') }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('capture' as const) }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('captureResult' as const), kind: fc.constantFrom('captured', 'captured', 'captured', 'refused', 'unknown'), share_bp: fc.integer({ min: 1, max: 10_000 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('void' as const) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('voidResult' as const), kind: fc.constantFrom('voided', 'unknown') }) },
  { weight: 5, arbitrary: fc.record({ type: fc.constant('refund' as const), refundId: fc.constantFrom(...REFUND_IDS), amountMinor: fc.oneof(fc.bigInt({ min: -10n, max: AMOUNT_MINOR + 10n }), fc.constant('rest' as const)) }) },
  { weight: 5, arbitrary: fc.record({ type: fc.constant('refundResult' as const), refundId: fc.constantFrom(...REFUND_IDS), kind: fc.constantFrom('succeeded', 'succeeded', 'failed', 'unknown') }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('query' as const), pspStatus: fc.constantFrom('unreachable', 'not_found', 'requires_action', 'requires_capture', 'succeeded', 'canceled', 'declined') }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('refundQuery' as const), refundId: fc.constantFrom(...REFUND_IDS), pspRefundStatus: fc.constantFrom('unreachable', 'not_found', 'pending', 'succeeded', 'failed') }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('bookingConfirmed' as const) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('bookingReleased' as const), refundMinor: fc.option(fc.bigInt({ min: 0n, max: AMOUNT_MINOR }), { nil: null }) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('pspEvent' as const), event: fc.constantFrom(...PSP_EVENTS) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('pspSync' as const), pspStatus: fc.constantFrom('unreachable', 'not_found', 'requires_action', 'requires_capture', 'succeeded', 'canceled', 'declined'), share_bp: fc.integer({ min: 1, max: 10_000 }), refunds: fc.array(observedRefund, { maxLength: 4 }) }) },
);
type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

function snapshot(pspStatus: string, payment: Payment, share_bp = 10_000): PspIntentSnapshot {
  const authorized = payment.authorizedAmount ?? EUR(AMOUNT_MINOR);
  switch (pspStatus) {
    case 'requires_action': return { pspStatus, pspPaymentIntentId: PI, actionType: 'use_stripe_sdk' };
    case 'requires_capture': return { pspStatus, pspPaymentIntentId: PI, authorizedAmount: EUR(AMOUNT_MINOR), authorizationExpiresAt: null, authorizedAt: null };
    case 'succeeded': return { pspStatus, pspPaymentIntentId: PI, pspChargeId: 'ch_1', capturedAmount: EUR((authorized.amountMinor * BigInt(share_bp)) / 10_000n || 1n)};
    case 'canceled': return { pspStatus, pspPaymentIntentId: PI };
    case 'declined': return { pspStatus, pspPaymentIntentId: PI, failureCode: 'card_declined', declineCode: null };
    case 'not_found': return { pspStatus };
    default: return { pspStatus: 'unreachable' };
  }
}

function apply(payment: Payment, a: Action, now: Date): PaymentDecision {
  const ctx = { now, actor: ACTOR };
  switch (a.type) {
    case 'authorization':
      switch (a.kind) {
        case 'authorized': return recordAuthorizationResult(payment, { kind: 'authorized', via: 'PSP_WEBHOOK', pspPaymentIntentId: PI, authorizedAmount: EUR(AMOUNT_MINOR), authorizationExpiresAt: null, authorizedAt: null }, ctx);
        case 'requires_action': return recordAuthorizationResult(payment, { kind: 'requires_action', via: 'PSP_RESPONSE', pspPaymentIntentId: PI, actionType: 'redirect_to_url' }, ctx);
        case 'declined': return recordAuthorizationResult(payment, { kind: 'declined', via: 'PSP_RESPONSE', pspPaymentIntentId: PI, failureCode: 'card_declined', declineCode: null }, ctx);
        default: return recordAuthorizationResult(payment, { kind: 'unknown', cause: 'PSP_TIMEOUT', pspPaymentIntentId: null }, ctx);
      }
    case 'capture': return requestCapture(payment, ctx);
    case 'captureResult': {
      if (a.kind === 'captured') {
        const s = snapshot('succeeded', payment, a.share_bp);
        if (s.pspStatus !== 'succeeded') throw new Error('unreachable');
        return recordCaptureResult(payment, { kind: 'captured', via: 'PSP_RESPONSE', pspChargeId: 'ch_1', capturedAmount: s.capturedAmount}, ctx);
      }
      return recordCaptureResult(payment, a.kind === 'refused' ? { kind: 'refused', via: 'PSP_RESPONSE', failureCode: 'expired' } : { kind: 'unknown', cause: 'PSP_5XX' }, ctx);
    }
    case 'void': return requestVoid(payment, 'STAFF_REQUEST', ctx);
    case 'voidResult': return recordVoidResult(payment, a.kind === 'voided' ? { kind: 'voided', via: 'PSP_RESPONSE' } : { kind: 'unknown', cause: 'PSP_TIMEOUT' }, ctx);
    case 'refund': {
      // 'rest': exactly what is still refundable, so that runs also reach REFUNDED.
      const amountMinor = a.amountMinor === 'rest' ? refundableMinor(payment) : a.amountMinor;
      return requestRefund(payment, { refundId: a.refundId, amount: EUR(amountMinor), reason: 'GOODWILL' }, ctx);
    }
    case 'refundResult':
      return recordRefundResult(payment, a.refundId, a.kind === 'succeeded' ? { kind: 'succeeded', via: 'PSP_RESPONSE', pspRefundId: `re_${a.refundId}` } : a.kind === 'failed' ? { kind: 'failed', via: 'PSP_RESPONSE', failureCode: 'x' } : { kind: 'unknown', cause: 'PSP_TIMEOUT' }, ctx);
    case 'query': return resolveOutcomeByQuery(payment, snapshot(a.pspStatus, payment), ctx);
    case 'refundQuery':
      return resolveRefundByQuery(payment, a.refundId, a.pspRefundStatus === 'succeeded' ? { pspRefundStatus: 'succeeded', pspRefundId: `re_${a.refundId}` } : a.pspRefundStatus === 'failed' ? { pspRefundStatus: 'failed', failureCode: 'x' } : { pspRefundStatus: a.pspRefundStatus }, ctx);
    case 'bookingConfirmed': return onBookingConfirmed(payment, ctx);
    case 'bookingReleased': return onBookingReleased(payment, { reason: 'BOOKING_CANCELLED', refundAmount: a.refundMinor === null ? null : EUR(a.refundMinor), refundId: 'r-release' }, ctx);
    case 'pspEvent': {
      const event: readonly [string, string, string | null] = a.event;
      const [pspEventType, pspObjectType, pspStatus] = event;
      return notePspEvent(payment, { pspEventId: 'evt_1', pspEventType, pspObjectType, pspStatus, pspRefundId: pspObjectType === 'refund' ? 're_r1' : null, amount: pspEventType === 'charge.refunded' ? EUR(AMOUNT_MINOR) : null }, ctx);
    }
    case 'pspSync': {
      const refunds: ObservedRefund[] = a.refunds.map((refund, index) => ({
        pspRefundId: refund.pspRefundId,
        refundId: refund.ours ? refund.pspRefundId.slice(3) : null,
        status: refund.status,
        amount: EUR(refund.amountMinor),
        createdAt: new Date(START.getTime() + index),
      }));
      return reconcileWithPsp(payment, { intent: snapshot(a.pspStatus, payment, a.share_bp), refunds, requestsSeen: payment.pspSync?.requests ?? 0, pspActor: PSP }, ctx).decision;
    }
  }
}

/** The key a call must carry: derived from the payment and the operation (and the refund's number). */
function expectedKey(payment: Payment, call: PspCall): string {
  if (call.operation !== 'REFUND') return pspIdempotencyKey(PAYMENT_ID, call.operation);
  const refund = payment.refunds.find((candidate) => candidate.refundId === call.refundId);
  return pspIdempotencyKey(PAYMENT_ID, 'REFUND', refund?.sequence ?? -1);
}

/** How often each (status, refund statuses) combination was visited: the generator's coverage. */
/** How often each (status, refund statuses) combination was visited: the generator's coverage. */
const reached = new Map<string, number>();
/** What syncs with the PSP produced: the generator's coverage of psp-sync.ts. */
const syncEffects = new Set<string>();

const refundPhaseAction = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant('refund' as const), refundId: fc.constantFrom(...REFUND_IDS), amountMinor: fc.oneof(fc.bigInt({ min: -10n, max: AMOUNT_MINOR + 10n }), fc.constant('rest' as const)) }) },
  { weight: 4, arbitrary: fc.record({ type: fc.constant('refundResult' as const), refundId: fc.constantFrom(...REFUND_IDS), kind: fc.constantFrom('succeeded', 'succeeded', 'failed', 'unknown') }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('refundQuery' as const), refundId: fc.constantFrom(...REFUND_IDS), pspRefundStatus: fc.constantFrom('unreachable', 'not_found', 'pending', 'succeeded', 'failed') }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('bookingReleased' as const), refundMinor: fc.option(fc.bigInt({ min: 0n, max: AMOUNT_MINOR }), { nil: null }) }) },
  { weight: 1, arbitrary: action },
);

const START = new Date('2030-01-01T00:00:00Z');
const ctx0 = { now: START, actor: ACTOR };

function created(): Payment {
  return createPayment({ paymentId: PAYMENT_ID, bookingId: 'b1', tenantId: 't1', amount: EUR(AMOUNT_MINOR), feeTerms: { bps: 1_000, rule: 'DEFAULT_RATE/HALF_UP', scheduleVersion: 'fs-test' } }, ctx0).state;
}

function capturedPayment(): Payment {
  let payment = recordAuthorizationResult(created(), { kind: 'authorized', via: 'PSP_RESPONSE', pspPaymentIntentId: PI, authorizedAmount: EUR(AMOUNT_MINOR), authorizationExpiresAt: null, authorizedAt: null }, ctx0).state;
  payment = requestCapture(payment, ctx0).state;
  return recordCaptureResult(payment, { kind: 'captured', via: 'PSP_RESPONSE', pspChargeId: 'ch_1', capturedAmount: EUR(AMOUNT_MINOR)}, ctx0).state;
}

const steps = (arbitrary: fc.Arbitrary<Action>) => fc.array(fc.tuple(arbitrary, fc.integer({ min: 0, max: 3 * 3_600_000 })), { minLength: 10, maxLength: 80 });

/** Applies the steps and checks every invariant after each one. */
/** The refusal codes of refund requests the runs reached. */
const rejectedCodes = new Set<string>();

/** A refused refund request is announced once, with what remains refundable, at the unchanged version; nothing else unapplied announces anything. */
function checkUnapplied(a: Action, before: Payment, decision: PaymentDecision): void {
  if (a.type !== 'refund' || decision.outcome !== 'refused') {
    expect(decision.outcome === 'refused' ? (decision.events ?? []) : []).toEqual([]);
    return;
  }
  expect(decision.events?.map((event) => event.eventType)).toEqual(['PaymentRefundRejected']);
  const rejected = decision.events?.[0];
  if (rejected?.eventType !== 'PaymentRefundRejected') throw new Error('unreachable');
  expect(rejected.payload).toMatchObject({ code: decision.refused, refundId: a.refundId, statusBefore: before.status, statusAfter: before.status });
  expect(rejected.payload.refundableAmount.amountMinor).toBe(refundableMinor(before));
  expect(rejected.aggregateVersion).toBe(before.version);
  rejectedCodes.add(decision.refused);
}

function checkInvariants(start: Payment, run: readonly (readonly [Action, number])[]): void {
  let now = START;
  let payment = start;
  const keysByCall = new Map<string, string>();
  for (const [a, advance_ms] of run) {
    now = new Date(now.getTime() + advance_ms);
    const before = payment;
    const decision = apply(before, a, now);
    payment = decision.state;
    const key = `${payment.status}|${[...new Set(payment.refunds.map((r) => r.status))].sort().join(',')}`;
    reached.set(key, (reached.get(key) ?? 0) + 1);
    if (decision.outcome !== 'applied') {
      // Stale and refused change nothing.
      expect(decision.state).toBe(before);
      checkUnapplied(a, before, decision);
      continue;
    }
    // Versions: exactly one per event, consecutive.
    expect(payment.version).toBe(before.version + BigInt(decision.events.length));
    decision.events.forEach((event, index) => expect(event.aggregateVersion).toBe(before.version + BigInt(index + 1)));
    // Transitions: each event is a legal step from the previous status.
    let status = before.status;
    for (const event of decision.events) {
      expect(event.payload.statusBefore).toBe(status);
      expect(PAYMENT_TRANSITIONS[status]).toContain(event.payload.statusAfter);
      status = event.payload.statusAfter;
      // An unknown outcome never becomes a failure without the PSP saying "declined".
      // (A sync may also find the intent cancelled before we heard it authorized: the authorization failed.)
      if (event.eventType === 'PaymentFailed') expect(a.type === 'authorization' ? a.kind : a.type === 'query' ? a.pspStatus : a.type === 'pspSync' && a.pspStatus === 'canceled' ? 'declined' : a.type === 'pspSync' ? a.pspStatus : '').toBe('declined');
      if (event.eventType === 'PaymentRefunded') expect(event.payload.totalRefunded.amountMinor <= (payment.capturedAmount?.amountMinor ?? 0n)).toBe(true);
      // A refused refund moves no money and no status, and only a PSP "failed" answer produces it.
      if (event.eventType === 'PaymentRefundFailed') {
        expect(event.payload.statusAfter).toBe(event.payload.statusBefore);
        const pspSaidFailed = a.type === 'pspSync' && a.refunds.some((refund) => refund.status === 'failed' || refund.status === 'canceled');
        expect(a.type === 'refundResult' ? a.kind : a.type === 'refundQuery' ? a.pspRefundStatus : pspSaidFailed ? 'failed' : '').toBe('failed');
      }
    }
    // Every refund the PSP refused in this step was announced, and the payment flagged for a person.
    const newlyFailed = payment.refunds.filter((refund) => refund.status === 'FAILED' && before.refunds.find((old) => old.refundId === refund.refundId)?.status !== 'FAILED');
    expect(decision.events.filter((event) => event.eventType === 'PaymentRefundFailed').map((event) => event.payload.refundId)).toEqual(newlyFailed.map((refund) => refund.refundId));
    if (newlyFailed.length > 0 && payment.status !== 'REFUNDED') expect(needsAttention(payment)).toBe(true);
    expect(payment.status).toBe(status);
    // Terminal stays terminal.
    if (isTerminalPayment(before)) expect(payment.status).toBe(before.status);
    // Refunds: confirmed and reserved money never exceed the capture.
    expect(refundedMinor(payment) <= (payment.capturedAmount?.amountMinor ?? 0n)).toBe(true);
    expect(refundableMinor(payment) >= 0n).toBe(true);
    expect(payment.refunds.length <= MAX_REFUNDS_PER_PAYMENT).toBe(true);
    if (a.type === 'pspSync') for (const event of decision.events) syncEffects.add(`${event.eventType}${event.actor.type === 'SYSTEM' ? ' by the PSP' : ''}`);
    // A change the PSP made by itself is announced with the PSP as its actor; everything else is ours.
    for (const event of decision.events) expect([ACTOR, PSP]).toContainEqual(event.actor);
    if (a.type !== 'pspSync') for (const event of decision.events) expect(event.actor).toEqual(ACTOR);
    // Keys: derived, and the same every time the same call is (re)issued.
    for (const call of decision.calls) {
      expect(call.idempotencyKey).toBe(expectedKey(payment, call));
      const identity = `${call.operation}/${call.refundId ?? ''}`;
      expect(keysByCall.get(identity) ?? call.idempotencyKey).toBe(call.idempotencyKey);
      keysByCall.set(identity, call.idempotencyKey);
    }
  }
  // Distinct calls carry distinct keys.
  expect(new Set(keysByCall.values()).size).toBe(keysByCall.size);
}

describe('payment state machine under any sequence of facts and commands', () => {
  it('from creation: only legal transitions, one version per event, terminal stays terminal, stable distinct keys, unknown never guessed as failed', () => {
    fc.assert(fc.property(steps(action), (run) => checkInvariants(created(), run)), { numRuns: 400 });
  });

  it('after capture: refunds, concurrent or retried or unknown, never exceed what was captured', () => {
    fc.assert(fc.property(steps(refundPhaseAction), (run) => checkInvariants(capturedPayment(), run)), { numRuns: 400 });
  });

  afterAll(() => {
    if (process.env.PAYMENT_COVERAGE) process.stdout.write(`${[...reached].map(([k, n]) => `${k} ${n}`).sort().join('\n')}\n`);
    // Guard against a generator that silently stops reaching the interesting states.
    for (const code of ['NOT_CAPTURED', 'EXCEEDS_REFUNDABLE', 'AMOUNT_NOT_POSITIVE', 'REFUND_ID_REUSED_WITH_OTHER_AMOUNT', 'ALREADY_FULLY_REFUNDED']) expect(rejectedCodes).toContain(code);
    for (const status of ['CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED', 'VOIDED', 'FAILED', 'OUTCOME_UNKNOWN', 'CAPTURE_FAILED', 'REQUIRES_ACTION']) {
      expect([...reached.keys()].some((entry) => entry.startsWith(`${status}|`))).toBe(true);
    }
    // (Each path of psp-sync.ts is also pinned by an example in psp-sync.spec.ts; this guards the generator only.)
    for (const effect of ['PaymentAuthorized', 'PaymentCaptured by the PSP', 'PaymentFailed']) {
      expect([...syncEffects]).toContain(effect);
    }
  });
});
