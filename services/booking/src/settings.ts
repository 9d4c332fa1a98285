import {
  DEFAULT_CAPTURE_DEADLINE_MS,
  DEFAULT_COMPLETION_GRACE_MS,
  DEFAULT_HOLD_EXPIRY_GRACE_MS,
  DEFAULT_HOLD_MS,
  MAX_CAPTURE_DEADLINE_MS,
  MAX_COMPLETION_GRACE_MS,
  MAX_HOLD_EXPIRY_GRACE_MS,
  MAX_HOLD_MS,
} from '@txn/booking-domain';
import type { SettingsReader } from '@txn/service-kit';

/** Booking's own settings, validated with the shared ones at start-up. */
export interface BookingSettings {
  /** Longest hold a request gets (it may ask for less): BOOKING_HOLD_MS, default 15 minutes. */
  readonly hold_ms: number;
  /** Pause between expiry sweeps when the last one found less than a full batch. */
  readonly expirySweepInterval_ms: number;
  /** Holds expired per transaction: bounds the sweeper's locks and its transaction's length. */
  readonly expiryBatchSize: number;
  /**
   * How long after its hold expires a held booking waits before the sweeper expires it
   * (BOOKING_HOLD_EXPIRY_GRACE_MS, default 15 min as the ledger's LEDGER_HOLD_EXPIRY_GRACE_MS, at
   * most 24 h: the slot stays blocked meanwhile). An authorization is judged by when it happened,
   * so one made in time but consumed late (consumer lag, payment learning it from a PSP query)
   * still confirms within the grace; the grace is the lag tolerated. Fixed on the booking when held.
   */
  readonly holdExpiryGrace_ms: number;
  /**
   * How long a confirmed booking waits for its capture to be recorded before the saga is
   * cancelled with a full refund (BOOKING_CAPTURE_DEADLINE_MS, default 1 h, at most 7 days: a card
   * authorization lapses by then). Fixed on the booking when it is confirmed.
   */
  readonly captureDeadline_ms: number;
  /**
   * How long after its slot ends a captured booking waits for the merchant's completion before
   * delivery is presumed and escrow released (BOOKING_COMPLETION_GRACE_MS, default 72 h, at most
   * 30 days). Fixed on the booking when its capture is recorded.
   */
  readonly completionGrace_ms: number;
  /** Pause between deadline watches when the last one found less than a full batch. */
  readonly deadlineWatchInterval_ms: number;
  /** Timeouts requested per transaction: bounds the watcher's locks and its transaction's length. */
  readonly deadlineBatchSize: number;
}

export const DEFAULT_EXPIRY_SWEEP_INTERVAL_MS = 1_000;
export const DEFAULT_EXPIRY_BATCH_SIZE = 100;
export const MAX_EXPIRY_BATCH_SIZE = 1_000;
/** Below a second a deadline is a race with the normal path, not a timeout (tests use 1.5 s). */
export const MIN_CAPTURE_DEADLINE_MS = 1_000;
export const DEFAULT_DEADLINE_WATCH_INTERVAL_MS = 1_000;
export const DEFAULT_DEADLINE_BATCH_SIZE = 100;
export const MAX_DEADLINE_BATCH_SIZE = 1_000;

/** What an unset variable means; also the base a test harness overrides. */
export const DEFAULT_BOOKING_SETTINGS: BookingSettings = {
  hold_ms: DEFAULT_HOLD_MS,
  expirySweepInterval_ms: DEFAULT_EXPIRY_SWEEP_INTERVAL_MS,
  expiryBatchSize: DEFAULT_EXPIRY_BATCH_SIZE,
  holdExpiryGrace_ms: DEFAULT_HOLD_EXPIRY_GRACE_MS,
  captureDeadline_ms: DEFAULT_CAPTURE_DEADLINE_MS,
  completionGrace_ms: DEFAULT_COMPLETION_GRACE_MS,
  deadlineWatchInterval_ms: DEFAULT_DEADLINE_WATCH_INTERVAL_MS,
  deadlineBatchSize: DEFAULT_DEADLINE_BATCH_SIZE,
};

export function readBookingSettings(settings: SettingsReader): BookingSettings {
  const d = DEFAULT_BOOKING_SETTINGS;
  return {
    hold_ms: settings.integer('BOOKING_HOLD_MS', { min: 1, max: MAX_HOLD_MS, default: d.hold_ms }),
    expirySweepInterval_ms: settings.integer('BOOKING_EXPIRY_SWEEP_INTERVAL_MS', { min: 10, max: 60_000, default: d.expirySweepInterval_ms }),
    expiryBatchSize: settings.integer('BOOKING_EXPIRY_BATCH_SIZE', { min: 1, max: MAX_EXPIRY_BATCH_SIZE, default: d.expiryBatchSize }),
    holdExpiryGrace_ms: settings.integer('BOOKING_HOLD_EXPIRY_GRACE_MS', { min: 0, max: MAX_HOLD_EXPIRY_GRACE_MS, default: d.holdExpiryGrace_ms }),
    captureDeadline_ms: settings.integer('BOOKING_CAPTURE_DEADLINE_MS', { min: MIN_CAPTURE_DEADLINE_MS, max: MAX_CAPTURE_DEADLINE_MS, default: d.captureDeadline_ms }),
    completionGrace_ms: settings.integer('BOOKING_COMPLETION_GRACE_MS', { min: 0, max: MAX_COMPLETION_GRACE_MS, default: d.completionGrace_ms }),
    deadlineWatchInterval_ms: settings.integer('BOOKING_DEADLINE_WATCH_INTERVAL_MS', { min: 10, max: 60_000, default: d.deadlineWatchInterval_ms }),
    deadlineBatchSize: settings.integer('BOOKING_DEADLINE_BATCH_SIZE', { min: 1, max: MAX_DEADLINE_BATCH_SIZE, default: d.deadlineBatchSize }),
  };
}
