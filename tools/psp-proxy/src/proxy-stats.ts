import type { FaultKind } from './faults';
import type { IdempotencyStoreStats } from './idempotency-store';
import type { PspProxyStats } from './proxy-types';

const MAX_ROUTES_COUNTED = 200;

/** Counters counted by name; `forwarded` and `faults_injected` have their own methods. */
export type CountedEvent = 'requests_seen' | 'replayed' | 'key_in_use' | 'key_mismatch' | 'upstream_failed';

/** `METHOD /path` with object ids replaced by `{id}`: the key of `forwarded_by_route`. */
export function routeOf(method: string, path: string): string {
  // Stripe ids are `<prefix>_<random>` (pi_3Nx…, cus_Q7…) with a digit or capital in the random
  // part; resource names (payment_intents) are lower case only.
  return `${method} ${path.replace(/\/[a-z]+_(?=[A-Za-z0-9]*[A-Z0-9])[A-Za-z0-9]+(?=\/|$)/g, '/{id}')}`;
}

/** The proxy's own counters, reported by `stats()` and `GET /_stats` with the store's. */
export class ProxyCounters {
  private readonly counts = {
    requests_seen: 0,
    forwarded: 0,
    replayed: 0,
    key_in_use: 0,
    key_mismatch: 0,
    upstream_failed: 0,
    faults_injected: { timeout_after_work: 0, error_before_work: 0, delay: 0, card_declined: 0 } as Record<FaultKind, number>,
  };
  private readonly forwardedByRoute = new Map<string, number>();

  /** Counts one event of the kind. */
  count(event: CountedEvent): void {
    this.counts[event] += 1;
  }

  /** Counts one injected fault of the kind. */
  countFault(kind: FaultKind): void {
    this.counts.faults_injected[kind] += 1;
  }

  /** Counts one request that goes to the PSP, also under its route (up to MAX_ROUTES_COUNTED routes). */
  countForward(method: string, path: string): void {
    this.counts.forwarded += 1;
    const route = routeOf(method, path);
    const count = this.forwardedByRoute.get(route);
    if (count !== undefined) this.forwardedByRoute.set(route, count + 1);
    else if (this.forwardedByRoute.size < MAX_ROUTES_COUNTED) this.forwardedByRoute.set(route, 1);
  }

  /** A copy of the counters, with the store's statistics. */
  snapshot(store: IdempotencyStoreStats): PspProxyStats {
    return { ...this.counts, faults_injected: { ...this.counts.faults_injected }, forwarded_by_route: Object.fromEntries(this.forwardedByRoute), ...store };
  }
}
