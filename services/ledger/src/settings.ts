import type { SettingsReader } from '@txn/service-kit';

/** Ledger's own settings, validated with the shared ones at start-up. */
export interface LedgerSettings {
  /** Pause between hold-expiry sweeps when the last one found less than a full batch. */
  readonly holdExpirySweepInterval_ms: number;
  /** Holds expired per transaction: bounds the sweeper's locks and its transaction's length. */
  readonly holdExpiryBatchSize: number;
  /**
   * A hold is expired by the sweeper only this long after its `expiresAt`. The handlers decide by
   * the event's own time, so a capture that happened before the deadline but reaches a lagging
   * consumer later still finds its hold; the grace is the consumer lag tolerated.
   */
  readonly holdExpiryGrace_ms: number;
}

export const DEFAULT_HOLD_EXPIRY_SWEEP_INTERVAL_MS = 5_000;
export const DEFAULT_HOLD_EXPIRY_BATCH_SIZE = 100;
export const MAX_HOLD_EXPIRY_BATCH_SIZE = 1_000;
export const DEFAULT_HOLD_EXPIRY_GRACE_MS = 15 * 60_000;
const MAX_HOLD_EXPIRY_GRACE_MS = 7 * 24 * 3_600_000;
export function readLedgerSettings(settings: SettingsReader): LedgerSettings {
  return {
    holdExpirySweepInterval_ms: settings.integer('LEDGER_HOLD_EXPIRY_SWEEP_INTERVAL_MS', { min: 10, max: 600_000, default: DEFAULT_HOLD_EXPIRY_SWEEP_INTERVAL_MS }),
    holdExpiryBatchSize: settings.integer('LEDGER_HOLD_EXPIRY_BATCH_SIZE', { min: 1, max: MAX_HOLD_EXPIRY_BATCH_SIZE, default: DEFAULT_HOLD_EXPIRY_BATCH_SIZE }),
    holdExpiryGrace_ms: settings.integer('LEDGER_HOLD_EXPIRY_GRACE_MS', { min: 0, max: MAX_HOLD_EXPIRY_GRACE_MS, default: DEFAULT_HOLD_EXPIRY_GRACE_MS }),
  };
}
