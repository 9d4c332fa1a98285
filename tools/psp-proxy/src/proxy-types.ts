import type { FaultKind, FaultRuleView, FaultSpec } from './faults';
import type { IdempotencyStoreStats } from './idempotency-store';

// What the proxy tells its caller: its notable events, its counters, and the handle on its faults.

export interface ProxyEvent {
  readonly event: 'fault_injected' | 'replayed' | 'key_in_use' | 'key_mismatch' | 'upstream_failed' | 'forwarded';
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly idempotency_key?: string;
  readonly fault?: FaultKind;
  readonly detail?: string;
}

export interface PspProxyStats extends IdempotencyStoreStats {
  /** Every API request (not the admin API). */
  readonly requests_seen: number;
  /** Requests that reached the PSP. */
  readonly forwarded: number;
  /** `METHOD /path` with object ids replaced by `{id}` → forwarded count. */
  readonly forwarded_by_route: Readonly<Record<string, number>>;
  readonly replayed: number;
  readonly key_in_use: number;
  readonly key_mismatch: number;
  readonly upstream_failed: number;
  readonly faults_injected: Readonly<Record<FaultKind, number>>;
}

export interface FaultControl {
  /** Adds a rule; throws with the reason when the rule is invalid. Returns its id. */
  inject(spec: FaultSpec): string;
  remove(id: string): boolean;
  clear(): void;
  list(): FaultRuleView[];
}

