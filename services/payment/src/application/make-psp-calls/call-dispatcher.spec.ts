import { randomUUID } from 'node:crypto';
import { DecisionSettler, type OutboxWriter } from '@txn/nest-messaging';
import { jsonLogSink, waitFor, type LogLine } from '@txn/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { FakePayments, FakePspCalls, FakePsp, PAYMENT_SERVICE, pendingPayment, TX } from '../../../test/unit/fake-payments';
import { paymentDecisionStore } from '../payment-decided';
import type { CallWakeups } from '../ports';
import { PspCallDispatcher } from './call-dispatcher';

const MAX_ATTEMPTS = 3;
/** Short delays on the wall clock: the dispatcher runs as in production, only faster. */
const POLICY = { maxAttempts: MAX_ATTEMPTS, baseDelay_ms: 2, maxDelay_ms: 8 };
const WAIT_MS = 5_000;
const noWakeups: CallWakeups = { listen: () => Promise.resolve(), stop: () => Promise.resolve() };

/** A dispatcher on fakes with one payment whose AUTHORIZE call is on the work list. */
function dispatching() {
  const payments = new FakePayments();
  const calls = new FakePspCalls();
  const psp = new FakePsp();
  const metrics = new Registry();
  const logs: LogLine[] = [];
  const logger = pino({ level: 'info', formatters: { level: (label) => ({ level: label }) } }, jsonLogSink(logs));
  const clock = (): Date => new Date();
  const outbox: OutboxWriter = { publishAll: () => Promise.resolve() };
  const settler = new DecisionSettler({ service: 'payment', outbox, store: paymentDecisionStore(payments, calls, { queryTimeDivisor: 1, clock }), logger, metrics });
  // Created now: the dispatcher judges the authorization's create window on the wall clock.
  const { payment } = payments.put(pendingPayment(randomUUID(), clock()));
  const key = `pay_${payment.paymentId}_authorize`;
  void calls.enqueue(TX, payment.paymentId, [{ operation: 'AUTHORIZE', idempotencyKey: key, amount: payment.amount, pspPaymentIntentId: null, refundId: null }], null);
  const dispatcher = new PspCallDispatcher({ transactions: (work) => work(TX), payments, calls, wakeups: noWakeups, psp, settler, logger, metrics, actor: PAYMENT_SERVICE, interval_ms: 1, batchSize: 4, retryPolicy: POLICY, lease_ms: 60_000, clock });
  const parked = async (): Promise<true | undefined> => (calls.rows.get(key)?.parked === true ? true : undefined);
  const counted = async (outcome: string): Promise<number | undefined> => (await metrics.getSingleMetric('payment_psp_calls_total')?.get())?.values.find((value) => value.labels.outcome === outcome)?.value;
  const timed = async (answer: string): Promise<number | undefined> =>
    (await metrics.getSingleMetric('payment_psp_call_duration_seconds')?.get())?.values.find((value) => (value as { metricName?: string }).metricName === 'payment_psp_call_duration_seconds_count' && value.labels.answer === answer && value.labels.operation === 'AUTHORIZE')?.value;
  return { payments, calls, psp, logs, dispatcher, paymentId: payment.paymentId, key, parked, counted, timed };
}

describe('the PSP call dispatcher retries nothing forever', () => {
  it('makes a call whose answer cannot be recorded again after a delay, with the same key, then parks it: flagged, logged at error, counted, never made again', async () => {
    const { calls, psp, payments, logs, dispatcher, paymentId, key, parked, counted } = dispatching();
    calls.failRecording = new Error('the recording transaction failed');
    dispatcher.start();
    try {
      await waitFor('the call parked', parked, WAIT_MS);
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 20 * POLICY.maxDelay_ms));
    } finally {
      await dispatcher.stop();
    }
    expect(psp.asked).toEqual(Array.from({ length: MAX_ATTEMPTS }, () => `authorize ${key}`));
    expect(calls.rows.get(key)).toMatchObject({ attempts: MAX_ATTEMPTS, parked: true, lastError: 'Error: the recording transaction failed' });
    expect(payments.rows.get(paymentId)?.indexes.needsAttention).toBe(true);
    expect(payments.rows.get(paymentId)?.stored.payment.status).toBe('PENDING');
    expect(logs.filter((line) => line.level === 'error')).toEqual([expect.objectContaining({ paymentId, idempotencyKey: key, operation: 'AUTHORIZE', attempts: MAX_ATTEMPTS })]);
    expect(logs.filter((line) => line.level === 'warn')).toHaveLength(MAX_ATTEMPTS - 1);
    expect([await counted('error'), await counted('parked')]).toEqual([MAX_ATTEMPTS - 1, 1]);
  });

  it('counts an adapter that throws (not an answer of the PSP) the same way', async () => {
    const { calls, psp, dispatcher, key, parked } = dispatching();
    psp.authorizeThrows = new TypeError('cannot read properties of undefined');
    dispatcher.start();
    try {
      await waitFor('the call parked', parked, WAIT_MS);
    } finally {
      await dispatcher.stop();
    }
    expect(psp.asked).toHaveLength(MAX_ATTEMPTS);
    expect(calls.rows.get(key)?.lastError).toBe('TypeError: cannot read properties of undefined');
  });

  it('parks a request the PSP keeps refusing as malformed after the same number of attempts, each after the longest delay', async () => {
    const { calls, psp, dispatcher, key, parked, counted } = dispatching();
    psp.failure = { kind: 'invalid_request', status: 400, code: 'parameter_unknown', message: 'Unexpected foo' };
    dispatcher.start();
    try {
      await waitFor('the call parked', parked, WAIT_MS);
    } finally {
      await dispatcher.stop();
    }
    expect(psp.asked).toHaveLength(MAX_ATTEMPTS);
    expect(calls.rows.get(key)?.lastError).toBe('400 parameter_unknown Unexpected foo');
    expect([await counted('invalid_request'), await counted('parked')]).toEqual([MAX_ATTEMPTS - 1, 1]);
  });

  it('parks a call whose every attempt died with its process (its lease ended, no attempt left) without making it again', async () => {
    const { calls, psp, payments, logs, dispatcher, paymentId, key, parked } = dispatching();
    const row = calls.rows.get(key);
    if (row === undefined) throw new Error('the call is listed');
    Object.assign(row, { attempts: MAX_ATTEMPTS, available_ms: Date.now() - 1 });
    dispatcher.start();
    try {
      await waitFor('the call parked', parked, WAIT_MS);
    } finally {
      await dispatcher.stop();
    }
    expect(psp.asked).toEqual([]);
    expect(payments.rows.get(paymentId)?.indexes.needsAttention).toBe(true);
    expect(logs.filter((line) => line.level === 'error').map((line) => line.idempotencyKey)).toEqual([key]);
  });

  it('records an answer at the first attempt as before: nothing parked, nothing retried; the PSP request timed once', async () => {
    const { calls, psp, payments, dispatcher, paymentId, key, timed } = dispatching();
    dispatcher.start();
    try {
      await waitFor('the authorization recorded', async () => (payments.rows.get(paymentId)?.stored.payment.status === 'AUTHORIZED' ? true : undefined), WAIT_MS);
    } finally {
      await dispatcher.stop();
    }
    expect(psp.asked).toEqual([`authorize ${key}`]);
    expect(calls.rows.has(key)).toBe(false);
    expect(await timed('recorded')).toBe(1);
  });
});
