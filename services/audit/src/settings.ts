import type { SettingsReader } from '@txn/service-kit';

/** The audit service's own settings, validated with the shared ones at start-up. */
export interface AuditSettings {
  /**
   * How often the chain heads that moved are announced on audit.checkpoints.v1
   * (AUDIT_CHECKPOINT_INTERVAL_MS, default 60 s): what can be truncated undetected is at most the
   * records of one interval.
   */
  readonly checkpointInterval_ms: number;
  /** Chains announced per transaction (AUDIT_CHECKPOINT_BATCH_SIZE, default 500); a full batch goes on at once. */
  readonly checkpointBatchSize: number;
}

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 60_000;
export const DEFAULT_CHECKPOINT_BATCH_SIZE = 500;

export function readAuditSettings(settings: SettingsReader): AuditSettings {
  return {
    checkpointInterval_ms: settings.integer('AUDIT_CHECKPOINT_INTERVAL_MS', { min: 100, max: 3_600_000, default: DEFAULT_CHECKPOINT_INTERVAL_MS }),
    checkpointBatchSize: settings.integer('AUDIT_CHECKPOINT_BATCH_SIZE', { min: 1, max: 10_000, default: DEFAULT_CHECKPOINT_BATCH_SIZE }),
  };
}
