/**
 * Bounds AccessDenied events so that a flood of bad credentials cannot flood the outbox (decision
 * 0024): at most one event per (source address, reason) per window, per gateway instance. The
 * refusals in between are counted (a metric, and `suppressed` on the next event of that pair).
 * Memory is bounded too: past `maxTracked` pairs, the oldest pair is forgotten (its next refusal
 * emits again, which is the safe side for an audit trail).
 */
export interface AccessDeniedLimiterOptions {
  readonly window_ms: number;
  readonly maxTracked: number;
}

export const DEFAULT_ACCESS_DENIED_LIMIT: AccessDeniedLimiterOptions = { window_ms: 60_000, maxTracked: 10_000 };

interface Window {
  readonly startedAt: number;
  suppressed: number;
}

export type LimiterDecision = { readonly emit: true; readonly suppressedBefore: number } | { readonly emit: false };

export class AccessDeniedLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly options: AccessDeniedLimiterOptions = DEFAULT_ACCESS_DENIED_LIMIT) {}

  /** Whether this refusal gets an event; if so, how many of its pair were suppressed before it. */
  admit(source: string, reason: string, now_ms: number): LimiterDecision {
    const key = `${source}\u0000${reason}`;
    const current = this.windows.get(key);
    if (current !== undefined && now_ms - current.startedAt < this.options.window_ms) {
      current.suppressed += 1;
      return { emit: false };
    }
    const suppressedBefore = current?.suppressed ?? 0;
    // Re-inserted so that the map's order is the order windows started in: the first is the oldest.
    this.windows.delete(key);
    if (this.windows.size >= this.options.maxTracked) this.windows.delete(this.windows.keys().next().value ?? '');
    this.windows.set(key, { startedAt: now_ms, suppressed: 0 });
    return { emit: true, suppressedBefore };
  }

  get tracked(): number {
    return this.windows.size;
  }
}
