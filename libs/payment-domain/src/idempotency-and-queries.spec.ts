import fc from 'fast-check';
import { pspIdempotencyKey } from './idempotency-key';
import { MAX_OUTCOME_QUERY_ATTEMPTS, outcomeQueryDelay_ms, outcomeResolveBy } from './query-schedule';
import { PspOperation } from '@txn/contracts';

const paymentId = fc.uuid();
const call = fc.record({ operation: fc.constantFrom(...PspOperation), n: fc.option(fc.integer({ min: 1, max: 1_000 }), { nil: undefined }) });

describe('PSP idempotency keys', () => {
  it('are the same for every retry of one operation of one payment', () => {
    fc.assert(fc.property(paymentId, call, (id, { operation, n }) => {
      expect(pspIdempotencyKey(id, operation, n)).toBe(pspIdempotencyKey(id, operation, n));
    }));
  });

  it('differ across payments, operations and call numbers, so one call can never answer for another', () => {
    fc.assert(fc.property(paymentId, call, paymentId, call, (idA, a, idB, b) => {
      fc.pre(idA !== idB || a.operation !== b.operation || a.n !== b.n);
      expect(pspIdempotencyKey(idA, a.operation, a.n)).not.toBe(pspIdempotencyKey(idB, b.operation, b.n));
    }));
  });

  it('read pay_<paymentId>_<operation>[_<n>] and refuse ids that could collide', () => {
    expect(pspIdempotencyKey('0b6f', 'AUTHORIZE')).toBe('pay_0b6f_authorize');
    expect(pspIdempotencyKey('0b6f', 'REFUND', 2)).toBe('pay_0b6f_refund_2');
    expect(() => pspIdempotencyKey('a_b', 'VOID')).toThrow(/key-safe/);
    expect(() => pspIdempotencyKey('0b6f', 'REFUND', 0)).toThrow(/positive/);
  });
});

describe('the outcome-unknown query schedule', () => {
  it('asks after 1 min, 5 min, 30 min, 2 h, then gives up after a bounded number of attempts', () => {
    expect([1, 2, 3, 4].map(outcomeQueryDelay_ms)).toEqual([60_000, 300_000, 1_800_000, 7_200_000]);
    expect(outcomeQueryDelay_ms(MAX_OUTCOME_QUERY_ATTEMPTS + 1)).toBeNull();
    expect(outcomeResolveBy(new Date(0)).getTime()).toBeGreaterThan(24 * 3_600_000);
  });

  it('never shortens its waits', () => {
    for (let attempt = 2; attempt <= MAX_OUTCOME_QUERY_ATTEMPTS; attempt += 1) {
      expect(outcomeQueryDelay_ms(attempt) ?? 0).toBeGreaterThan(outcomeQueryDelay_ms(attempt - 1) ?? 0);
    }
  });
});
