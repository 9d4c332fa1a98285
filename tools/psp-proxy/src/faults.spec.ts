import fc from 'fast-check';
import { FaultTable, parseFaultSpec, pathPattern, type FaultSpec } from './faults';

const CREATE = { method: 'POST', path: '/v1/payment_intents', api_key: 'sk_test_a' };

function spec(input: Record<string, unknown>): FaultSpec {
  const parsed = parseFaultSpec(input);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.spec;
}

describe('fault table', () => {
  it('injects into exactly the next N matching requests, then lets requests through', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 40 }), (times, extra) => {
        const table = new FaultTable();
        table.add(spec({ kind: 'error_before_work', path: '/v1/payment_intents', method: 'post', times }));
        const hits = Array.from({ length: times + extra }, () => table.take(CREATE)).filter((fault) => fault !== undefined);
        expect(hits).toHaveLength(times);
        expect(table.list()).toHaveLength(0);
      }),
    );
  });

  it('matches method, path pattern and API key', () => {
    const table = new FaultTable();
    table.add(spec({ kind: 'timeout_after_work', path: '/v1/payment_intents/*/capture', method: 'POST', api_key: 'sk_test_a', times: 10 }));
    expect(table.take({ ...CREATE, path: '/v1/payment_intents/pi_1/capture' })).toMatchObject({ kind: 'timeout_after_work', status: 504 });
    expect(table.take({ ...CREATE, path: '/v1/payment_intents/pi_1/capture', api_key: 'sk_test_b' })).toBeUndefined();
    expect(table.take({ ...CREATE, path: '/v1/payment_intents/pi_1/capture', method: 'GET' })).toBeUndefined();
    expect(table.take({ ...CREATE, path: '/v1/payment_intents/pi_1/cancel' })).toBeUndefined();
    expect(table.take(CREATE)).toBeUndefined();
  });

  it('repeats the same injections for the same seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.double({ min: 0.01, max: 1, noNaN: true }), (seed, probability) => {
        const run = (): boolean[] => {
          const table = new FaultTable();
          table.add(spec({ kind: 'delay', delay_ms: 5, path: '/**', probability, seed }));
          return Array.from({ length: 50 }, () => table.take(CREATE) !== undefined);
        };
        expect(run()).toEqual(run());
      }),
    );
  });

  it('refuses rules it cannot honour, naming the field', () => {
    expect(parseFaultSpec({ kind: 'explode', path: '/' })).toMatchObject({ ok: false, error: expect.stringContaining('kind') });
    expect(parseFaultSpec({ kind: 'delay', path: '/' })).toMatchObject({ ok: false, error: expect.stringContaining('delay_ms') });
    expect(parseFaultSpec({ kind: 'error_before_work', path: '/', status: 404 })).toMatchObject({ ok: false, error: expect.stringContaining('status') });
    expect(parseFaultSpec({ kind: 'card_declined', path: 'v1' })).toMatchObject({ ok: false, error: expect.stringContaining('path') });
  });

  it('reads * as one segment and ** as the rest', () => {
    expect(pathPattern('/v1/payment_intents/*').test('/v1/payment_intents/pi_1')).toBe(true);
    expect(pathPattern('/v1/payment_intents/*').test('/v1/payment_intents/pi_1/capture')).toBe(false);
    expect(pathPattern('/v1/**').test('/v1/refunds')).toBe(true);
    expect(pathPattern('/v1/payment_intents').test('/v1/payment_intentsX')).toBe(false);
  });
});
