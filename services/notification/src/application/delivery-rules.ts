import { nextAttemptDelay, type RetryPolicy } from '@txn/notification-domain';

/** How one attempt ended, as the sender saw it. */
export type AttemptOutcome = 'SUCCEEDED' | 'HTTP_ERROR' | 'TIMEOUT' | 'CONNECTION_ERROR' | 'ADDRESS_REFUSED';

/** A delivery's retry budget: the attempts of the current round and when its first attempt was made. */
export interface DeliveryRound {
  readonly roundAttempts: number;
  readonly roundStartedAt: Date | null;
}

export type DeliveryNext =
  | { readonly status: 'SUCCEEDED' }
  | { readonly status: 'PENDING'; readonly nextAttemptAt: Date; readonly roundAttempts: number; readonly roundStartedAt: Date }
  | { readonly status: 'GAVE_UP'; readonly roundAttempts: number; readonly roundStartedAt: Date };

/**
 * A delivery after one attempt: delivered, due again after the policy's backoff, or given up when
 * the next attempt would fall beyond the horizon of its round (then parked for a person: replay).
 */
export function deliveryAfterAttempt(round: DeliveryRound, outcome: AttemptOutcome, attemptedAt: Date, policy: RetryPolicy, random01: number): DeliveryNext {
  if (outcome === 'SUCCEEDED') return { status: 'SUCCEEDED' };
  const roundStartedAt = round.roundStartedAt ?? attemptedAt;
  const roundAttempts = round.roundAttempts + 1;
  const delay = nextAttemptDelay(policy, roundAttempts, attemptedAt.getTime() - roundStartedAt.getTime(), random01);
  if (delay === null) return { status: 'GAVE_UP', roundAttempts, roundStartedAt };
  return { status: 'PENDING', nextAttemptAt: new Date(attemptedAt.getTime() + delay), roundAttempts, roundStartedAt };
}

/** An endpoint's health as delivery keeps it. */
export interface EndpointHealth {
  /** The first failed attempt since the last success; null while healthy. */
  readonly failingSince: Date | null;
  /** When delivery stopped (failing for too long); null while it is on. */
  readonly autoDisabledAt: Date | null;
}

export type HealthChange = 'none' | 'started-failing' | 'recovered' | 'auto-disabled';

/**
 * The endpoint after one attempt: a success clears the failure (a `recovered` notice when it had
 * been failing); a failure starts the clock, and one that has run longer than `disableAfter_ms`
 * disables the endpoint until its merchant enables it again.
 */
export function healthAfterAttempt(health: EndpointHealth, succeeded: boolean, attemptedAt: Date, disableAfter_ms: number): { readonly health: EndpointHealth; readonly change: HealthChange } {
  if (succeeded) return { health: { failingSince: null, autoDisabledAt: null }, change: health.failingSince === null ? 'none' : 'recovered' };
  if (health.failingSince === null) return { health: { failingSince: attemptedAt, autoDisabledAt: null }, change: 'started-failing' };
  if (health.autoDisabledAt === null && attemptedAt.getTime() - health.failingSince.getTime() >= disableAfter_ms) {
    return { health: { failingSince: health.failingSince, autoDisabledAt: attemptedAt }, change: 'auto-disabled' };
  }
  return { health, change: 'none' };
}
