import fc from 'fast-check';
import type { Actor } from '@txn/contracts';
import { money } from '@txn/money';
import { createPayment, recordAuthorizationResult, type AuthorizationResult } from './authorization';
import { AUTHORIZATION_CREATE_WINDOW_MS, authorizationSearchWindow, DEFAULT_CARD_AUTHORIZATION_VALIDITY_MS, mayCreateAuthorization, PSP_CLOCK_MARGIN_MS } from './authorization-window';
import { resolveOutcomeByQuery, type PspIntentSnapshot } from './outcome-query';
import { needsAttention, type Payment, type PaymentDecision } from './payment';

const ACTOR: Actor = { type: 'SERVICE', id: 'payment' };
const START = new Date('2030-01-01T00:00:00Z');
const HOUR_MS = 3_600_000;
/** When Stripe may forget a key (at least 24 h after it first saw it): no create may reach it later. */
const KEY_RETENTION_MS = 24 * HOUR_MS;
const EUR = (minor: bigint) => money(minor, 'EUR');
const PI = 'pi_1';

function created(): Payment {
  return createPayment({ paymentId: '7d3c1d3e-0000-4000-8000-000000000002', bookingId: 'b1', tenantId: 't1', amount: EUR(10_000n), feeTerms: { bps: 1_000, rule: 'DEFAULT_RATE/HALF_UP', scheduleVersion: 'fs-test' } }, { now: START, actor: ACTOR }).state;
}

/**
 * What can happen to an authorization whose answers get lost: time passes (minutes to most of a
 * day), the dispatcher makes the call it was asked for (the PSP answers, or the answer is lost,
 * before or after the PSP did the work), the poller asks (nothing found, no answer, or the intent).
 */
const step = fc.oneof(
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 11 * HOUR_MS }) }),
  fc.record({ kind: fc.constant('dispatch' as const), answer: fc.constantFrom('unknown', 'unknown', 'unknown', 'authorized', 'declined') }),
  fc.record({ kind: fc.constant('query' as const), finding: fc.constantFrom('not_found', 'not_found', 'unreachable', 'requires_capture') }),
);
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

function answerOf(kind: string): AuthorizationResult {
  switch (kind) {
    case 'authorized': return { kind: 'authorized', via: 'PSP_RESPONSE', pspPaymentIntentId: PI, authorizedAmount: EUR(10_000n), authorizationExpiresAt: null, authorizedAt: null };
    case 'declined': return { kind: 'declined', via: 'PSP_RESPONSE', pspPaymentIntentId: PI, failureCode: 'card_declined', declineCode: null };
    default: return { kind: 'unknown', cause: 'PSP_TIMEOUT', pspPaymentIntentId: null };
  }
}

function findingOf(kind: string): PspIntentSnapshot {
  if (kind === 'requires_capture') return { pspStatus: 'requires_capture', pspPaymentIntentId: PI, authorizedAmount: EUR(10_000n), authorizationExpiresAt: null, authorizedAt: null };
  return kind === 'not_found' ? { pspStatus: 'not_found' } : { pspStatus: 'unreachable' };
}

/**
 * Runs the steps as the service does: a create is sent only while the payment's AUTHORIZE call is
 * asked for, and only if the window allows at that moment (else the dispatcher records an unknown
 * outcome without calling). Returns when each create reached the PSP and every decision made.
 */
function run(steps: readonly Step[]): { readonly creates: Date[]; readonly decisions: { readonly at: Date; readonly decision: PaymentDecision }[]; readonly payment: Payment } {
  let payment = created();
  let now = START;
  let callAsked = true; // createPayment asks for the first AUTHORIZE
  const creates: Date[] = [];
  const decisions: { at: Date; decision: PaymentDecision }[] = [];
  const apply = (decision: PaymentDecision): void => {
    decisions.push({ at: now, decision });
    payment = decision.state;
    if (decision.outcome === 'applied' && decision.calls.some((call) => call.operation === 'AUTHORIZE')) callAsked = true;
  };
  for (const s of steps) {
    const ctx = { now, actor: ACTOR };
    if (s.kind === 'wait') now = new Date(now.getTime() + s.ms);
    else if (s.kind === 'query') apply(resolveOutcomeByQuery(payment, findingOf(s.finding), ctx));
    else if (callAsked) {
      callAsked = false;
      if (mayCreateAuthorization(payment, now)) {
        creates.push(now);
        apply(recordAuthorizationResult(payment, answerOf(s.answer), ctx));
      } else {
        apply(recordAuthorizationResult(payment, { kind: 'unknown', cause: 'PSP_CREATE_WINDOW_CLOSED', pspPaymentIntentId: null }, ctx));
      }
    }
  }
  return { creates, decisions, payment };
}

describe('an authorization is created only while the PSP surely still knows its key', () => {
  const schedules = fc.array(step, { minLength: 5, maxLength: 60 });

  it('for any schedule of attempts, lost answers and queries, no create is asked for or sent after the window, which ends before any key could be forgotten', () => {
    fc.assert(fc.property(schedules, (steps) => {
      const { creates, decisions } = run(steps);
      const windowEnd_ms = START.getTime() + AUTHORIZATION_CREATE_WINDOW_MS;
      for (const { at, decision } of decisions) {
        if (decision.outcome === 'applied' && decision.calls.some((call) => call.operation === 'AUTHORIZE')) expect(at.getTime()).toBeLessThan(windowEnd_ms);
      }
      // The first attempt reached the PSP no earlier than START: every later create is well inside its key's life.
      for (const at of creates) expect(at.getTime()).toBeLessThan(START.getTime() + KEY_RETENTION_MS - HOUR_MS);
    }), { numRuns: 500 });
  });

  it('past the window, finding no intent leaves the payment to a person: flagged, no call, no further query', () => {
    fc.assert(fc.property(schedules, fc.integer({ min: 0, max: 48 * HOUR_MS }), (steps, lateBy_ms) => {
      // Lose the first answer, then ask when the window has closed.
      const { payment } = run([{ kind: 'dispatch', answer: 'unknown' }, ...steps.filter((s) => s.kind === 'wait')]);
      fc.pre(payment.unknown !== null && payment.inFlight === null && payment.unknown.nextQueryAt !== null);
      const late = new Date(START.getTime() + AUTHORIZATION_CREATE_WINDOW_MS + lateBy_ms);
      const decision = resolveOutcomeByQuery(payment, { pspStatus: 'not_found' }, { now: late, actor: ACTOR });
      expect(decision.outcome).toBe('applied');
      if (decision.outcome !== 'applied') return;
      expect(decision.calls).toEqual([]);
      expect(decision.events).toEqual([]);
      expect(decision.state).toMatchObject({ status: 'OUTCOME_UNKNOWN', inFlight: null, unknown: { nextQueryAt: null, alertedAt: late } });
      expect(needsAttention(decision.state)).toBe(true);
    }), { numRuns: 300 });
  });

  it('the search window holds every moment a create was sent, and is bounded whenever it is asked', () => {
    fc.assert(fc.property(schedules, fc.integer({ min: 0, max: 72 * HOUR_MS }), (steps, askedAfter_ms) => {
      const { creates, payment } = run(steps);
      const asked = new Date(Math.max(START.getTime() + askedAfter_ms, ...creates.map((at) => at.getTime())));
      const { createdFrom, createdTo } = authorizationSearchWindow(payment, asked);
      for (const at of creates) {
        expect(at.getTime()).toBeGreaterThanOrEqual(createdFrom.getTime() + PSP_CLOCK_MARGIN_MS);
        expect(at.getTime()).toBeLessThanOrEqual(createdTo.getTime() - PSP_CLOCK_MARGIN_MS);
      }
      expect(createdTo.getTime() - createdFrom.getTime()).toBeLessThanOrEqual(AUTHORIZATION_CREATE_WINDOW_MS + 2 * PSP_CLOCK_MARGIN_MS);
    }), { numRuns: 300 });
  });
});

describe('every authorization says when it happened and when it lapses', () => {
  it('the PSP\'s capture_before when it gives one, else its time of authorization (or ours) plus the default validity', () => {
    const maybeDate = fc.option(fc.integer({ min: 0, max: 30 * 24 * HOUR_MS }).map((ms) => new Date(START.getTime() + ms)), { nil: null });
    fc.assert(fc.property(maybeDate, maybeDate, fc.integer({ min: 0, max: 48 * HOUR_MS }), (captureBefore, pspAuthorizedAt, heardAfter_ms) => {
      const now = new Date(START.getTime() + heardAfter_ms);
      const result: AuthorizationResult = { kind: 'authorized', via: 'PSP_QUERY', pspPaymentIntentId: PI, authorizedAmount: EUR(10_000n), authorizationExpiresAt: captureBefore, authorizedAt: pspAuthorizedAt };
      const decision = recordAuthorizationResult(created(), result, { now, actor: ACTOR });
      if (decision.outcome !== 'applied') throw new Error('a pending payment takes an authorization');
      const authorizedAt = pspAuthorizedAt ?? now;
      const expiresAt = captureBefore ?? new Date(authorizedAt.getTime() + DEFAULT_CARD_AUTHORIZATION_VALIDITY_MS);
      const [event] = decision.events;
      expect(event?.eventType).toBe('PaymentAuthorized');
      expect(event?.payload).toMatchObject({ authorizedAt, authorizationExpiresAt: expiresAt });
      expect(decision.state).toMatchObject({ authorizedAt, authorizationExpiresAt: expiresAt });
    }), { numRuns: 300 });
  });
});
