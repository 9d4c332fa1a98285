import fc from 'fast-check';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '@txn/notification-domain';
import { deliveryAfterAttempt, healthAfterAttempt, type DeliveryNext, type EndpointHealth } from './delivery-rules';

const POLICY: RetryPolicy = { baseDelay_ms: 1_000, maxDelay_ms: 60_000, horizon_ms: 3_600_000 };
const T0 = new Date('2030-01-01T00:00:00.000Z');

describe('a delivery after an attempt', () => {
  it('is done on success, whatever its round', () => {
    expect(deliveryAfterAttempt({ roundAttempts: 7, roundStartedAt: T0 }, 'SUCCEEDED', T0, POLICY, 0.5)).toEqual({ status: 'SUCCEEDED' });
  });

  it('starts its round at its first failed attempt and is due again after the backoff', () => {
    const next = deliveryAfterAttempt({ roundAttempts: 0, roundStartedAt: null }, 'TIMEOUT', T0, POLICY, 1);
    expect(next).toMatchObject({ status: 'PENDING', roundAttempts: 1, roundStartedAt: T0 });
    if (next.status !== 'PENDING') throw new Error('expected PENDING');
    expect(next.nextAttemptAt.getTime() - T0.getTime()).toBeGreaterThanOrEqual(POLICY.baseDelay_ms / 2);
  });

  it('property: failing for ever, a delivery is given up within the horizon, after finitely many attempts, never attempted beyond it', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 200, maxLength: 200 }), (randoms) => {
        let round = { roundAttempts: 0, roundStartedAt: null as Date | null };
        let at = T0;
        for (const random of randoms) {
          const next: DeliveryNext = deliveryAfterAttempt(round, 'HTTP_ERROR', at, DEFAULT_RETRY_POLICY, random);
          if (next.status === 'GAVE_UP') return at.getTime() - T0.getTime() <= DEFAULT_RETRY_POLICY.horizon_ms;
          if (next.status !== 'PENDING') return false;
          if (next.nextAttemptAt.getTime() - T0.getTime() > DEFAULT_RETRY_POLICY.horizon_ms) return false;
          round = next;
          at = next.nextAttemptAt;
        }
        return false;
      }),
    );
  });
});

describe("an endpoint's health after an attempt", () => {
  const healthy: EndpointHealth = { failingSince: null, autoDisabledAt: null };
  const DISABLE_AFTER_MS = 60_000;

  it('starts failing at the first failure and is disabled only once failing for the whole period', () => {
    const first = healthAfterAttempt(healthy, false, T0, DISABLE_AFTER_MS);
    expect(first).toEqual({ health: { failingSince: T0, autoDisabledAt: null }, change: 'started-failing' });
    expect(healthAfterAttempt(first.health, false, new Date(T0.getTime() + DISABLE_AFTER_MS - 1), DISABLE_AFTER_MS).change).toBe('none');
    const disabled = healthAfterAttempt(first.health, false, new Date(T0.getTime() + DISABLE_AFTER_MS), DISABLE_AFTER_MS);
    expect(disabled.change).toBe('auto-disabled');
    expect(healthAfterAttempt(disabled.health, false, new Date(T0.getTime() + 2 * DISABLE_AFTER_MS), DISABLE_AFTER_MS).change).toBe('none');
  });

  it('recovers on the first success after failures, and says so once', () => {
    const failing: EndpointHealth = { failingSince: T0, autoDisabledAt: null };
    expect(healthAfterAttempt(failing, true, T0, DISABLE_AFTER_MS)).toEqual({ health: healthy, change: 'recovered' });
    expect(healthAfterAttempt(healthy, true, T0, DISABLE_AFTER_MS).change).toBe('none');
  });

  it('property: a success always leaves the endpoint healthy; a failure never clears failingSince', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 50 }), fc.array(fc.integer({ min: 0, max: 120_000 }), { minLength: 50, maxLength: 50 }), (results, gaps) => {
        let health = healthy;
        let at = T0.getTime();
        return results.every((succeeded, index) => {
          at += gaps[index] ?? 0;
          const next = healthAfterAttempt(health, succeeded, new Date(at), DISABLE_AFTER_MS).health;
          const ok = succeeded ? next.failingSince === null && next.autoDisabledAt === null : next.failingSince !== null && (health.failingSince === null || next.failingSince === health.failingSince);
          health = next;
          return ok;
        });
      }),
    );
  });
});
