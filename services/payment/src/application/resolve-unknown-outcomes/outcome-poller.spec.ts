import { DecisionSettler, type OutboxWriter, type PendingEvent } from '@txn/nest-messaging';
import { AUTHORIZATION_CREATE_WINDOW_MS, PSP_CLOCK_MARGIN_MS, recordAuthorizationResult, requestPspSync, type Payment } from '@txn/payment-domain';
import { jsonLogSink, type LogLine } from '@txn/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { FakePayments, FakePspCalls, FakePsp, NOW, PAYMENT_SERVICE, pendingPayment, PSP_AUTHORIZED_AT, PSP_CAPTURE_BEFORE, TX } from '../../../test/unit/fake-payments';
import { paymentDecisionStore } from '../payment-decided';
import { OutcomePoller } from './outcome-poller';
import { PspBreakRecorder } from '../apply-psp-events/break-recorder';
import type { PspBreak } from '../ports';

/** A poller on fakes whose clock is `at`, with what it published, enqueued, counted and logged. */
function pollerAt(at: Date, payments = new FakePayments()) {
  const psp = new FakePsp();
  const calls = new FakePspCalls();
  const published: PendingEvent[] = [];
  const outbox: OutboxWriter = { publishAll: async (_tx, events) => void published.push(...events) };
  const metrics = new Registry();
  const logs: LogLine[] = [];
  const logger = pino({ level: 'info', formatters: { level: (label) => ({ level: label }) } }, jsonLogSink(logs));
  const settler = new DecisionSettler({ service: 'payment', outbox, store: paymentDecisionStore(payments, calls, { queryTimeDivisor: 1, clock: () => at }), logger, metrics });
  const raised: PspBreak[] = [];
  const breaks = new PspBreakRecorder({ raise: async (_tx, _id, found) => (raised.push(found), true), resolveOf: async () => [] }, logger, metrics, { outbox, service: 'payment', actor: PAYMENT_SERVICE, clock: () => at });
  const pspActor = { type: 'SYSTEM', id: 'psp:stripe' } as const;
  const poller = new OutcomePoller({ transactions: (work) => work(TX), payments, psp, settler, logger, metrics, actor: PAYMENT_SERVICE, lease_ms: 1_000, clock: () => at, batchSize: 10, maxClaims: 3, breaks, pspActor });
  return { poller, payments, psp, calls, published, metrics, logs, raised };
}

/** A pending payment whose authorization answer was lost (timeout), with or without the intent's id. */
function lostAuthorization(pspPaymentIntentId: string | null): Payment {
  const timedOut = recordAuthorizationResult(pendingPayment(), { kind: 'unknown', cause: 'TIMEOUT', pspPaymentIntentId }, { now: NOW, actor: PAYMENT_SERVICE });
  if (timedOut.outcome !== 'applied') throw new Error('a timeout is recorded');
  return timedOut.state;
}

describe('the outcome poller', () => {
  it('syncs a payment a PSP event was news about: fetches the intent and its refunds, applies them, raises what does not fit', async () => {
    const { poller, payments, psp, published, raised } = pollerAt(NOW);
    const authorized = recordAuthorizationResult(pendingPayment(), { kind: 'authorized', via: 'PSP_RESPONSE', pspPaymentIntentId: 'pi_1', authorizedAmount: { amountMinor: 12_000n, currency: 'EUR' }, authorizationExpiresAt: null, authorizedAt: null }, { now: NOW, actor: PAYMENT_SERVICE }).state;
    const stored = payments.put(requestPspSync(authorized, 'payment_intent.succeeded evt_1', { now: NOW, actor: PAYMENT_SERVICE }).state);
    payments.due = [stored.payment.paymentId];
    psp.intent = { ...psp.intent, status: 'succeeded', chargeId: 'ch_1' };
    psp.refunds = [
      { id: 're_dash', status: 'succeeded', failureReason: null, amount: { amountMinor: 2_000n, currency: 'EUR' }, refundId: null, createdAt: NOW },
      { id: 're_big', status: 'succeeded', failureReason: null, amount: { amountMinor: 11_000n, currency: 'EUR' }, refundId: null, createdAt: new Date(NOW.getTime() + 1) },
    ];
    expect(await poller.pollOnce()).toBe(1);
    expect(psp.asked).toEqual(['retrieve pi_1', 'listRefunds pi_1']);
    expect(published.map((pending) => [pending.event.envelope.eventType, pending.event.envelope.actor.id])).toEqual([['ReconciliationBreakRaised', 'payment'], ['PaymentCaptured', 'psp:stripe'], ['PaymentRefunded', 'psp:stripe']]);
    expect(payments.rows.get(stored.payment.paymentId)?.stored.payment).toMatchObject({ status: 'PARTIALLY_REFUNDED', pspSync: null });
    expect(raised).toMatchObject([{ kind: 'REFUND_EXCEEDS_CAPTURE', paymentId: stored.payment.paymentId, pspObjectId: 'pi_1' }]);
  });

  it('asks the PSP about a payment whose answer was lost and settles what the PSP says, through the one settle path', async () => {
    const { poller, payments, psp, published, metrics } = pollerAt(NOW);
    const stored = payments.put(lostAuthorization('pi_1'));
    payments.due = [stored.payment.paymentId];
    expect(await poller.pollOnce()).toBe(1);
    expect(psp.asked).toEqual(['retrieve pi_1']);
    expect(payments.rows.get(stored.payment.paymentId)?.stored.payment.status).toBe('AUTHORIZED');
    expect(published.map((pending) => pending.event.envelope.eventType)).toEqual(['PaymentAuthorized']);
    const counted = await metrics.getSingleMetric('payment_decisions_total')?.get();
    expect(counted?.values.find((value) => value.labels.message_type === 'OUTCOME_QUERY')?.value).toBe(1);
  });

  it('finds an authorization whose intent id it never learned by searching our metadata around the first request, never by sending the create again', async () => {
    const { poller, payments, psp, published } = pollerAt(new Date(NOW.getTime() + 60_000));
    const stored = payments.put(lostAuthorization(null));
    payments.due = [stored.payment.paymentId];
    await poller.pollOnce();
    const from = new Date(NOW.getTime() - PSP_CLOCK_MARGIN_MS).toISOString();
    const to = new Date(NOW.getTime() + 60_000 + PSP_CLOCK_MARGIN_MS).toISOString();
    expect(psp.asked).toEqual([`findAuthorization ${stored.payment.paymentId} ${from}..${to}`]);
    expect(payments.rows.get(stored.payment.paymentId)?.stored.payment).toMatchObject({ status: 'AUTHORIZED', pspPaymentIntentId: 'pi_1', authorizedAt: PSP_AUTHORIZED_AT, authorizationExpiresAt: PSP_CAPTURE_BEFORE });
    expect(published.map((pending) => pending.event)).toEqual([expect.objectContaining({ reason: 'PSP_QUERY', authorizedAt: PSP_AUTHORIZED_AT, authorizationExpiresAt: PSP_CAPTURE_BEFORE })]);
  });

  it('re-sends the create (same key, through the work list) when the search finds nothing inside the window', async () => {
    const { poller, payments, psp, calls } = pollerAt(new Date(NOW.getTime() + 60_000));
    const stored = payments.put(lostAuthorization(null));
    payments.due = [stored.payment.paymentId];
    psp.searchFinds = 'nothing';
    await poller.pollOnce();
    expect(psp.asked).toHaveLength(1);
    expect(psp.asked[0]).toMatch(/^findAuthorization /);
    expect(calls.enqueued.map(({ call }) => [call.operation, call.idempotencyKey])).toEqual([['AUTHORIZE', `pay_${stored.payment.paymentId}_authorize`]]);
  });

  it('past the window, finding nothing is left to a person: no create, the payment flagged, logged at error with its key', async () => {
    const late = new Date(NOW.getTime() + AUTHORIZATION_CREATE_WINDOW_MS + 60_000);
    const { poller, payments, psp, calls, published, logs } = pollerAt(late);
    const stored = payments.put(lostAuthorization(null));
    payments.due = [stored.payment.paymentId];
    psp.searchFinds = 'nothing';
    await poller.pollOnce();
    expect(psp.asked.filter((asked) => asked.startsWith('authorize'))).toEqual([]);
    expect(calls.enqueued).toEqual([]);
    expect(published).toEqual([]);
    const row = payments.rows.get(stored.payment.paymentId);
    expect(row?.indexes).toEqual({ queryDueAt: null, needsAttention: true });
    expect(logs.filter((line) => line.level === 'error')).toEqual([expect.objectContaining({ paymentId: stored.payment.paymentId, idempotencyKey: `pay_${stored.payment.paymentId}_authorize`, operation: 'AUTHORIZE', finding: 'not_found' })]);
  });

  it('never picks one of several PaymentIntents a search finds for one payment: nothing settled, asked again on schedule, logged at error', async () => {
    const { poller, payments, psp, calls, published, logs } = pollerAt(new Date(NOW.getTime() + 60_000));
    const stored = payments.put(lostAuthorization(null));
    payments.due = [stored.payment.paymentId];
    psp.searchFinds = 'several';
    await poller.pollOnce();
    expect([calls.enqueued, published]).toEqual([[], []]);
    expect(payments.rows.get(stored.payment.paymentId)?.stored.payment).toMatchObject({ status: 'OUTCOME_UNKNOWN', unknown: { attempts: 1, alertedAt: null } });
    expect(logs.filter((line) => line.level === 'error')).toEqual([expect.objectContaining({ paymentId: stored.payment.paymentId, intentIds: ['pi_1', 'pi_2'] })]);
  });

  it('stops asking about payments whose findings could not be recorded time after time: counted and logged for a person', async () => {
    const { poller, payments, psp, metrics, logs } = pollerAt(NOW);
    payments.stuck = ['4d0c1d3e-0000-4000-8000-00000000000a'];
    expect(await poller.pollOnce()).toBe(0);
    expect(psp.asked).toEqual([]);
    expect((await metrics.getSingleMetric('payment_outcome_queries_parked_total')?.get())?.values[0]?.value).toBe(1);
    expect(logs.filter((line) => line.level === 'error').map((line) => line.paymentId)).toEqual(['4d0c1d3e-0000-4000-8000-00000000000a']);
  });
});
