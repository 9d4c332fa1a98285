import { DecisionSettler, type OutboxWriter } from '@txn/nest-messaging';
import pino from 'pino';
import { Registry } from 'prom-client';
import { authorizedPayment, FakePayments, FakePspCalls, NOW, TX } from '../../test/unit/fake-payments';
import { paymentDecisionStore, paymentSubject, queryDueAt } from './payment-decided';

describe('payment\'s settle port', () => {
  it('stores the payment and puts its PSP calls on the work list, caused by what caused the decision', async () => {
    const payments = new FakePayments();
    const calls = new FakePspCalls();
    const payment = authorizedPayment();
    const before = payments.put(payment);
    const store = paymentDecisionStore(payments, calls, { queryTimeDivisor: 1, clock: () => NOW });
    const outbox: OutboxWriter = { publishAll: () => Promise.resolve() };
    const settler = new DecisionSettler({ service: 'payment', outbox, store, logger: pino({ level: 'silent' }), metrics: new Registry() });
    const call = { operation: 'CAPTURE' as const, idempotencyKey: `pay_${payment.paymentId}_capture`, amount: payment.amount, pspPaymentIntentId: 'pi_1', refundId: null };
    const decision = { outcome: 'applied' as const, state: { ...payment, version: payment.version + 1n }, events: [], calls: [call] };
    await settler.settle(TX, { decision, subject: paymentSubject(payment, payment), write: { before } }, undefined, { messageType: 'PSP_AUTHORIZE', causationId: 'f0e1d2c3-b4a5-4968-8776-655443322110' });
    expect(payments.rows.get(payment.paymentId)?.stored.payment.version).toBe(payment.version + 1n);
    expect(calls.enqueued).toEqual([{ paymentId: payment.paymentId, call, causedByEventId: 'f0e1d2c3-b4a5-4968-8776-655443322110' }]);
  });

  it('schedules the next PSP query from the unknown outcome, compressed by the divisor, and never in the past', () => {
    const payment = authorizedPayment();
    const unknown = { ...payment, unknown: { operation: 'CAPTURE' as const, idempotencyKey: 'k', cause: 'TIMEOUT', since: NOW, attempts: 0, nextQueryAt: new Date(NOW.getTime() + 60_000), alertedAt: null } };
    expect(queryDueAt(payment, NOW, 1)).toBeNull();
    expect(queryDueAt(unknown, NOW, 1)).toEqual(new Date(NOW.getTime() + 60_000));
    expect(queryDueAt(unknown, NOW, 200)).toEqual(new Date(NOW.getTime() + 300));
    expect(queryDueAt(unknown, new Date(NOW.getTime() + 120_000), 1)).toEqual(new Date(NOW.getTime() + 120_000));
  });
});
