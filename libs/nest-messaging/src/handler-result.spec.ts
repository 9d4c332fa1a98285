import fc from 'fast-check';
import { EMPTY, of, throwError } from 'rxjs';
import { HandlerTimeoutError, InvalidHandlerResultError, settleHandlerResult, toOutcome, withinTimeout } from './handler-result';

describe('handler results', () => {
  it('takes a value, a Promise, an Observable (its last value) and a Promise of an Observable alike', async () => {
    expect(await settleHandlerResult('applied')).toBe('applied');
    expect(await settleHandlerResult(Promise.resolve('stale'))).toBe('stale');
    expect(await settleHandlerResult(of('applied', 'rejected'))).toBe('rejected');
    expect(await settleHandlerResult(Promise.resolve(of('applied')))).toBe('applied');
    expect(await settleHandlerResult(EMPTY)).toBeUndefined();
  });

  it('passes an Observable\'s error on', async () => {
    const failure = new Error('boom');
    await expect(settleHandlerResult(throwError(() => failure))).rejects.toBe(failure);
  });

  it('accepts exactly the three handler outcomes', () => {
    for (const outcome of ['applied', 'stale', 'rejected'] as const) expect(toOutcome('BookingHeld', outcome)).toBe(outcome);
    fc.assert(
      fc.property(fc.anything().filter((value) => value !== 'applied' && value !== 'stale' && value !== 'rejected'), (value) => {
        expect(() => toOutcome('BookingHeld', value)).toThrow(InvalidHandlerResultError);
      }),
    );
  });

  it('fails a handler that outlives its time limit, and leaves no timer behind when it does not', async () => {
    await expect(withinTimeout(new Promise(() => undefined), 10, 'BookingHeld')).rejects.toBeInstanceOf(HandlerTimeoutError);
    await expect(withinTimeout(Promise.resolve('applied'), 10_000, 'BookingHeld')).resolves.toBe('applied');
  });
});
