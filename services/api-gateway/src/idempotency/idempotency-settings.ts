import type { SettingsReader } from '@txn/service-kit';
import type { IdempotencySettings } from './idempotency.interceptor';

const HOUR_MS = 3_600_000;

export const DEFAULT_IDEMPOTENCY_SETTINGS: IdempotencySettings = { retention_ms: 24 * HOUR_MS, lease_ms: 60_000 };

/**
 * API_IDEMPOTENCY_RETENTION_HOURS (24–720, default 24): how long a first response is replayed —
 * never under the 24 hours the API promises. API_IDEMPOTENCY_LEASE_SECONDS (5–3600, default 60):
 * how long a claim protects an execution; keep it above the longest request (waits included).
 */
export function readIdempotencySettings(settings: SettingsReader): IdempotencySettings {
  return {
    retention_ms: settings.integer('API_IDEMPOTENCY_RETENTION_HOURS', { min: 24, max: 720, default: 24 }) * HOUR_MS,
    lease_ms: settings.integer('API_IDEMPOTENCY_LEASE_SECONDS', { min: 5, max: 3_600, default: 60 }) * 1_000,
  };
}
