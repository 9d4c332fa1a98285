import { DecisionSettler, type OutboxWriter, type PendingEvent } from '@txn/nest-messaging';
import { recordAuthorizationResult } from '@txn/payment-domain';
import pino from 'pino';
import { Registry } from 'prom-client';
import { FakePayments, FakePspCalls, FakePsp, NOW, PAYMENT_SERVICE, pendingPayment, TX } from '../../../test/unit/fake-payments';
import { paymentDecisionStore } from '../payment-decided';
import { OutcomePoller } from './outcome-poller';

describe('the outcome poller', () => {
  it('asks the PSP about a payment whose answer was lost and settles what the PSP says, through the one settle path', async () => {
    const payments = new FakePayments();
    const timedOut = recordAuthorizationResult(pendingPayment(), { kind: 'unknown', cause: 'TIMEOUT', pspPaymentIntentId: 'pi_1' }, { now: NOW, actor: PAYMENT_SERVICE });
    if (timedOut.outcome !== 'applied') throw new Error('a timeout is recorded');
    const stored = payments.put(timedOut.state);
    payments.due = [stored.payment.paymentId];
    const psp = new FakePsp();
    const published: PendingEvent[] = [];
    const outbox: OutboxWriter = { publishAll: async (_tx, events) => void published.push(...events) };
    const metrics = new Registry();
    const settler = new DecisionSettler({ service: 'payment', outbox, store: paymentDecisionStore(payments, new FakePspCalls(), { queryTimeDivisor: 1, clock: () => NOW }), logger: pino({ level: 'silent' }), metrics });
    const poller = new OutcomePoller({ transactions: (work) => work(TX), payments, psp, settler, logger: pino({ level: 'silent' }), metrics, actor: PAYMENT_SERVICE, lease_ms: 1_000, clock: () => NOW, batchSize: 10 });
    expect(await poller.pollOnce()).toBe(1);
    expect(psp.asked).toEqual(['retrieve pi_1']);
    expect(payments.rows.get(stored.payment.paymentId)?.stored.payment.status).toBe('AUTHORIZED');
    expect(published.map((pending) => pending.event.envelope.eventType)).toEqual(['PaymentAuthorized']);
    const counted = await metrics.getSingleMetric('payment_decisions_total')?.get();
    expect(counted?.values.find((value) => value.labels.message_type === 'OUTCOME_QUERY')?.value).toBe(1);
  });
});
