import type { RequestFingerprint } from './request-fingerprint';

/** The answer the PSP gave to the first request with a key: replayed to every retry. */
export interface StoredResponse {
  /** `<sha256 of the API key>:<Idempotency-Key>`: keys are scoped per API key (per account at Stripe). */
  readonly scope_key: string;
  readonly fingerprint: RequestFingerprint;
  readonly status: number;
  readonly content_type: string;
  readonly body: string;
  readonly stored_at_ms: number;
}

export interface IdempotencyLimits {
  /** Stripe keeps a key for at least 24 h; after that a reused key is a new request. */
  readonly ttl_ms: number;
  /** Bounds on what is kept: the oldest answers go first (they also expire first). */
  readonly max_entries: number;
  readonly max_bytes: number;
}

export const DEFAULT_IDEMPOTENCY_LIMITS: IdempotencyLimits = {
  ttl_ms: 24 * 60 * 60 * 1_000,
  // A localstripe payment intent with its expanded charge is about 3 kB: 256 MiB hold about 80,000
  // answers, several minutes of the saga benchmark; `evicted_before_expiry` shows when it was not enough.
  max_entries: 200_000,
  max_bytes: 256 * 1024 * 1024,
};

/** What to do with a request that carries an idempotency key. */
export type BeginOutcome =
  | { readonly kind: 'proceed' }
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  | { readonly kind: 'in_progress' }
  | { readonly kind: 'mismatch'; readonly what: 'endpoint' | 'parameters'; readonly original: RequestFingerprint };

export interface IdempotencyStoreStats {
  readonly stored_responses: number;
  readonly stored_bytes: number;
  readonly in_flight: number;
  /** Answers dropped by the size bounds while still inside the TTL: a promise broken. */
  readonly evicted_before_expiry: number;
}

/** Per-entry bookkeeping beyond the body (Map slot, fingerprint, strings). */
const ENTRY_OVERHEAD_BYTES = 256;

function sizeOf(response: StoredResponse): number {
  return response.body.length + response.scope_key.length + ENTRY_OVERHEAD_BYTES;
}

/**
 * Stripe's idempotency rules over an in-memory store, with the clock passed in. Map order is
 * insertion order, which is storage order: the front is both the oldest and the first to expire.
 */
export class IdempotencyStore {
  private readonly stored = new Map<string, StoredResponse>();
  private readonly inFlight = new Map<string, RequestFingerprint>();
  private bytes = 0;
  private evictedBeforeExpiry = 0;

  constructor(private readonly limits: IdempotencyLimits = DEFAULT_IDEMPOTENCY_LIMITS) {}

  /** Claims the key for this request, or says why not. A `proceed` must end in complete or abandon. */
  begin(scopeKey: string, fingerprint: RequestFingerprint, now_ms: number): BeginOutcome {
    // A retry while the first attempt still runs gets a conflict, not a second execution.
    if (this.inFlight.has(scopeKey)) return { kind: 'in_progress' };
    const existing = this.live(scopeKey, now_ms);
    if (existing === undefined) {
      this.inFlight.set(scopeKey, fingerprint);
      return { kind: 'proceed' };
    }
    const original = existing.fingerprint;
    if (original.method !== fingerprint.method || original.path !== fingerprint.path) return { kind: 'mismatch', what: 'endpoint', original };
    if (original.params_sha256 !== fingerprint.params_sha256) return { kind: 'mismatch', what: 'parameters', original };
    return { kind: 'replay', response: existing };
  }

  /** Stores the answer of a request that began with `proceed`. */
  complete(response: StoredResponse, now_ms: number): void {
    this.inFlight.delete(response.scope_key);
    this.put(response, now_ms);
  }

  /** The request ended without an answer worth keeping (validation, auth, never reached the PSP). */
  abandon(scopeKey: string): void {
    this.inFlight.delete(scopeKey);
  }

  /** Restores answers read back from the journal (oldest first). */
  restore(responses: Iterable<StoredResponse>, now_ms: number): void {
    for (const response of responses) this.put(response, now_ms);
  }

  entries(): IterableIterator<StoredResponse> {
    return this.stored.values();
  }

  stats(): IdempotencyStoreStats {
    return { stored_responses: this.stored.size, stored_bytes: this.bytes, in_flight: this.inFlight.size, evicted_before_expiry: this.evictedBeforeExpiry };
  }

  private live(scopeKey: string, now_ms: number): StoredResponse | undefined {
    const existing = this.stored.get(scopeKey);
    if (existing === undefined) return undefined;
    if (now_ms - existing.stored_at_ms < this.limits.ttl_ms) return existing;
    this.remove(scopeKey, existing);
    return undefined;
  }

  private put(response: StoredResponse, now_ms: number): void {
    if (now_ms - response.stored_at_ms >= this.limits.ttl_ms) return;
    const previous = this.stored.get(response.scope_key);
    if (previous !== undefined) this.remove(response.scope_key, previous);
    this.stored.set(response.scope_key, response);
    this.bytes += sizeOf(response);
    this.evict(now_ms);
  }

  private evict(now_ms: number): void {
    for (const [scopeKey, oldest] of this.stored) {
      const expired = now_ms - oldest.stored_at_ms >= this.limits.ttl_ms;
      const overBounds = this.stored.size > this.limits.max_entries || this.bytes > this.limits.max_bytes;
      if (!expired && !overBounds) return;
      if (!expired) this.evictedBeforeExpiry += 1;
      this.remove(scopeKey, oldest);
    }
  }

  private remove(scopeKey: string, response: StoredResponse): void {
    this.stored.delete(scopeKey);
    this.bytes -= sizeOf(response);
  }
}
