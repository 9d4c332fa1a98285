import { AUTHORIZATION_CREATE_WINDOW_MS } from '@txn/payment-domain';
import { FakePayments, FakePsp, NOW, PAYMENT_SERVICE, pendingPayment, PSP_AUTHORIZED_AT, PSP_CAPTURE_BEFORE } from '../../../test/unit/fake-payments';
import { CREATE_WINDOW_CLOSED, makeCall } from './make-call';

describe('making one PSP call', () => {
  it('asks with the call\'s own idempotency key and answers with what the PSP said, decided when it is recorded', async () => {
    const psp = new FakePsp();
    const stored = new FakePayments().put(pendingPayment());
    const call = stored.payment.inFlight === null ? undefined : { operation: 'AUTHORIZE' as const, idempotencyKey: stored.payment.inFlight.idempotencyKey, amount: stored.payment.amount, pspPaymentIntentId: null, refundId: null };
    if (call === undefined) throw new Error('a new payment asks for its authorization');
    const recorder = await makeCall(psp, stored, call, NOW);
    expect(psp.asked).toEqual([`authorize ${call.idempotencyKey}`]);
    if (typeof recorder !== 'function') throw new Error('expected an answer to record');
    expect(recorder(stored, { now: NOW, actor: PAYMENT_SERVICE })).toMatchObject({
      outcome: 'applied',
      state: { status: 'AUTHORIZED', pspPaymentIntentId: 'pi_1', authorizedAt: PSP_AUTHORIZED_AT, authorizationExpiresAt: PSP_CAPTURE_BEFORE },
      // The PSP's own times, not the moment we recorded the answer.
      events: [{ eventType: 'PaymentAuthorized', payload: { authorizedAt: PSP_AUTHORIZED_AT, authorizationExpiresAt: PSP_CAPTURE_BEFORE } }],
    });
  });

  it('never sends a create once the window in which the PSP surely keeps the key has closed: the outcome becomes unknown, for the search to settle', async () => {
    const psp = new FakePsp();
    const stored = new FakePayments().put(pendingPayment());
    const call = { operation: 'AUTHORIZE' as const, idempotencyKey: `pay_${stored.payment.paymentId}_authorize`, amount: stored.payment.amount, pspPaymentIntentId: null, refundId: null };
    const late = new Date(stored.payment.authorizationRequestedAt.getTime() + AUTHORIZATION_CREATE_WINDOW_MS);
    const recorder = await makeCall(psp, stored, call, late);
    expect(psp.asked).toEqual([]);
    if (typeof recorder !== 'function') throw new Error('a closed window is an answer to record');
    expect(recorder(stored, { now: late, actor: PAYMENT_SERVICE })).toMatchObject({ outcome: 'applied', state: { status: 'OUTCOME_UNKNOWN', unknown: { operation: 'AUTHORIZE', cause: CREATE_WINDOW_CLOSED } } });
    // A moment earlier the create is still sent, with the same key.
    await makeCall(psp, stored, call, new Date(late.getTime() - 1));
    expect(psp.asked).toEqual([`authorize ${call.idempotencyKey}`]);
  });

  it('passes a request the PSP refused as malformed back as such (a bug: nothing to record), and never guesses a timeout into a failure', async () => {
    const psp = new FakePsp();
    const stored = new FakePayments().put(pendingPayment());
    const call = { operation: 'AUTHORIZE' as const, idempotencyKey: 'pay_x_authorize', amount: stored.payment.amount, pspPaymentIntentId: null, refundId: null };
    psp.failure = { kind: 'invalid_request', status: 400, code: 'parameter_unknown', message: 'Unexpected foo' };
    expect(await makeCall(psp, stored, call, NOW)).toMatchObject({ kind: 'invalid_request', code: 'parameter_unknown' });
    psp.failure = { kind: 'unknown', cause: 'TIMEOUT' };
    const timedOut = await makeCall(psp, stored, call, NOW);
    if (typeof timedOut !== 'function') throw new Error('a timeout is an answer to record');
    expect(timedOut(stored, { now: NOW, actor: PAYMENT_SERVICE })).toMatchObject({ outcome: 'applied', state: { status: 'OUTCOME_UNKNOWN' } });
  });
});
