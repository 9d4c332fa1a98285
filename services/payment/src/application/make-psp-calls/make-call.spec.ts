import { FakePayments, FakePsp, NOW, PAYMENT_SERVICE, pendingPayment } from '../../../test/unit/fake-payments';
import { makeCall } from './make-call';

describe('making one PSP call', () => {
  it('asks with the call\'s own idempotency key and answers with what the PSP said, decided when it is recorded', async () => {
    const psp = new FakePsp();
    const stored = new FakePayments().put(pendingPayment());
    const call = stored.payment.inFlight === null ? undefined : { operation: 'AUTHORIZE' as const, idempotencyKey: stored.payment.inFlight.idempotencyKey, amount: stored.payment.amount, pspPaymentIntentId: null, refundId: null };
    if (call === undefined) throw new Error('a new payment asks for its authorization');
    const recorder = await makeCall(psp, stored, call);
    expect(psp.asked).toEqual([`authorize ${call.idempotencyKey}`]);
    if (typeof recorder !== 'function') throw new Error('expected an answer to record');
    expect(recorder(stored, { now: NOW, actor: PAYMENT_SERVICE })).toMatchObject({ outcome: 'applied', state: { status: 'AUTHORIZED', pspPaymentIntentId: 'pi_1' }, events: [{ eventType: 'PaymentAuthorized' }] });
  });

  it('passes a request the PSP refused as malformed back as such (a bug: nothing to record), and never guesses a timeout into a failure', async () => {
    const psp = new FakePsp();
    const stored = new FakePayments().put(pendingPayment());
    const call = { operation: 'AUTHORIZE' as const, idempotencyKey: 'pay_x_authorize', amount: stored.payment.amount, pspPaymentIntentId: null, refundId: null };
    psp.failure = { kind: 'invalid_request', status: 400, code: 'parameter_unknown', message: 'Unexpected foo' };
    expect(await makeCall(psp, stored, call)).toMatchObject({ kind: 'invalid_request', code: 'parameter_unknown' });
    psp.failure = { kind: 'unknown', cause: 'TIMEOUT' };
    const timedOut = await makeCall(psp, stored, call);
    if (typeof timedOut !== 'function') throw new Error('a timeout is an answer to record');
    expect(timedOut(stored, { now: NOW, actor: PAYMENT_SERVICE })).toMatchObject({ outcome: 'applied', state: { status: 'OUTCOME_UNKNOWN' } });
  });
});
