import { Inject, Injectable } from '@nestjs/common';
import type { SettingsReader } from '@txn/service-kit';
import { ProblemException } from '../http/problem';
import { TenantTransactions } from '../persistence/tenant-transactions';
import type { Principal } from './principal';

/** Requests one API key may make per window, on all gateway instances together; 0 = no limit. */
export interface KeyRateLimitSettings {
  readonly requestsPerWindow: number;
  readonly window_s: number;
}

export const KEY_RATE_LIMIT = Symbol('key-rate-limit-settings');
export const DEFAULT_KEY_RATE_LIMIT: KeyRateLimitSettings = { requestsPerWindow: 60_000, window_s: 60 };

/** GATEWAY_KEY_RATE_LIMIT (requests per window per key, 0 = none; default 60000) and GATEWAY_KEY_RATE_WINDOW_SECONDS (default 60). */
export function readKeyRateLimit(settings: SettingsReader): KeyRateLimitSettings {
  return {
    requestsPerWindow: settings.integer('GATEWAY_KEY_RATE_LIMIT', { min: 0, max: 10_000_000, default: DEFAULT_KEY_RATE_LIMIT.requestsPerWindow }),
    window_s: settings.integer('GATEWAY_KEY_RATE_WINDOW_SECONDS', { min: 1, max: 3_600, default: DEFAULT_KEY_RATE_LIMIT.window_s }),
  };
}

/** The fixed window a moment falls in, and the seconds until the next one opens (Retry-After, at least 1). */
export function windowOf(now_ms: number, window_s: number): { readonly start: Date; readonly retryAfter_s: number } {
  const length_ms = window_s * 1000;
  const start_ms = Math.floor(now_ms / length_ms) * length_ms;
  return { start: new Date(start_ms), retryAfter_s: Math.max(1, Math.ceil((start_ms + length_ms - now_ms) / 1000)) };
}

/**
 * Per-key rate limits that hold across instances (decision 0024): a fixed-window counter per key
 * in PostgreSQL, incremented by one upsert per request (the row lock orders concurrent requests of
 * one key; different keys never wait on each other). Over the limit: 429 with Retry-After, the
 * seconds until the window turns. When a key's new window opens, its older windows are deleted.
 * Staff tokens are not limited here (people, short-lived tokens, few).
 */
@Injectable()
export class KeyRateLimiter {
  constructor(
    @Inject(TenantTransactions) private readonly transactions: TenantTransactions,
    @Inject(KEY_RATE_LIMIT) private readonly settings: KeyRateLimitSettings,
  ) {}

  async take(principal: Principal, now: Date): Promise<void> {
    const { requestsPerWindow, window_s } = this.settings;
    if (requestsPerWindow === 0 || principal.kind !== 'api_key' || principal.tenantId === null) return;
    const window = windowOf(now.getTime(), window_s);
    const requests = await this.transactions.run({ kind: 'tenant', tenantId: principal.tenantId }, async (manager) => {
      const rows = (await manager.query(
        `INSERT INTO api_key_rate_windows (key_id, window_start, merchant_id, requests) VALUES ($1, $2, $3, 1)
         ON CONFLICT (key_id, window_start) DO UPDATE SET requests = api_key_rate_windows.requests + 1
         RETURNING requests`,
        [principal.id, window.start, principal.tenantId],
      )) as { requests: number }[];
      const count = rows[0]?.requests ?? 1;
      if (count === 1) await manager.query('DELETE FROM api_key_rate_windows WHERE key_id = $1 AND window_start < $2', [principal.id, window.start]);
      return count;
    });
    if (requests <= requestsPerWindow) return;
    const problem = ProblemException.of('rate-limited', `This key may make ${requestsPerWindow} requests per ${window_s} s; retry after ${window.retryAfter_s} s.`, { limit: requestsPerWindow, window_s, retryAfter_s: window.retryAfter_s }).problem;
    throw new ProblemException(problem, { 'Retry-After': String(window.retryAfter_s) });
  }
}
