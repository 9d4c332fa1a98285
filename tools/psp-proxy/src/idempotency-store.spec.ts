import fc from 'fast-check';
import { IdempotencyStore, type StoredResponse } from './idempotency-store';
import type { RequestFingerprint } from './request-fingerprint';

const CREATE: RequestFingerprint = { method: 'POST', path: '/v1/payment_intents', params_sha256: 'a' };
const HOUR_MS = 60 * 60 * 1_000;
const LIMITS = { ttl_ms: 24 * HOUR_MS, max_entries: 1_000, max_bytes: 10 * 1024 * 1024 };

function answer(scope_key: string, stored_at_ms: number, fingerprint = CREATE, body = '{"id":"pi_1"}'): StoredResponse {
  return { scope_key, fingerprint, status: 200, content_type: 'application/json', body, stored_at_ms };
}

describe('IdempotencyStore', () => {
  it('lets the first request through and replays its answer to a retry with the same parameters', () => {
    const store = new IdempotencyStore(LIMITS);
    expect(store.begin('k', CREATE, 0)).toEqual({ kind: 'proceed' });
    store.complete(answer('k', 0), 0);
    expect(store.begin('k', CREATE, 1_000)).toEqual({ kind: 'replay', response: answer('k', 0) });
  });

  it('answers in_progress while the first request with the key is still running', () => {
    const store = new IdempotencyStore(LIMITS);
    store.begin('k', CREATE, 0);
    expect(store.begin('k', CREATE, 1)).toEqual({ kind: 'in_progress' });
    store.abandon('k');
    expect(store.begin('k', CREATE, 2)).toEqual({ kind: 'proceed' });
  });

  it('refuses the key with other parameters or on another endpoint', () => {
    const store = new IdempotencyStore(LIMITS);
    store.begin('k', CREATE, 0);
    store.complete(answer('k', 0), 0);
    expect(store.begin('k', { ...CREATE, params_sha256: 'b' }, 1)).toMatchObject({ kind: 'mismatch', what: 'parameters' });
    expect(store.begin('k', { ...CREATE, path: '/v1/refunds' }, 1)).toMatchObject({ kind: 'mismatch', what: 'endpoint' });
  });

  it('keeps an answer for the whole TTL and forgets it afterwards', () => {
    const store = new IdempotencyStore(LIMITS);
    store.begin('k', CREATE, 0);
    store.complete(answer('k', 0), 0);
    expect(store.begin('k', CREATE, LIMITS.ttl_ms - 1).kind).toBe('replay');
    expect(store.begin('k', CREATE, LIMITS.ttl_ms).kind).toBe('proceed');
  });

  it('never holds more than its bounds, dropping the oldest first and counting early drops', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 400 }), { maxLength: 60 }), (bodies) => {
        const limits = { ttl_ms: HOUR_MS, max_entries: 10, max_bytes: 4_000 };
        const store = new IdempotencyStore(limits);
        bodies.forEach((body, i) => {
          store.begin(`k${i}`, CREATE, i);
          store.complete(answer(`k${i}`, i, CREATE, body), i);
        });
        const stats = store.stats();
        expect(stats.stored_responses).toBeLessThanOrEqual(limits.max_entries);
        expect(stats.stored_bytes).toBeLessThanOrEqual(limits.max_bytes);
        expect(stats.stored_responses + stats.evicted_before_expiry).toBe(bodies.length);
        const kept = [...store.entries()].map((entry) => Number(entry.scope_key.slice(1)));
        expect(kept).toEqual(kept.length === 0 ? [] : Array.from({ length: kept.length }, (_, i) => bodies.length - kept.length + i));
      }),
    );
  });
});
