import { DEFAULT_HOLD_MS, MAX_HOLD_MS } from '@txn/booking-domain';
import type { SettingsReader } from '@txn/service-kit';

/** Booking's own settings, validated with the shared ones at start-up. */
export interface BookingSettings {
  /** Longest hold a request gets (it may ask for less): BOOKING_HOLD_MS, default 15 minutes. */
  readonly hold_ms: number;
  /** Pause between expiry sweeps when the last one found less than a full batch. */
  readonly expirySweepInterval_ms: number;
  /** Holds expired per transaction: bounds the sweeper's locks and its transaction's length. */
  readonly expiryBatchSize: number;
}

export const DEFAULT_EXPIRY_SWEEP_INTERVAL_MS = 1_000;
export const DEFAULT_EXPIRY_BATCH_SIZE = 100;
export const MAX_EXPIRY_BATCH_SIZE = 1_000;

export function readBookingSettings(settings: SettingsReader): BookingSettings {
  return {
    hold_ms: settings.integer('BOOKING_HOLD_MS', { min: 1, max: MAX_HOLD_MS, default: DEFAULT_HOLD_MS }),
    expirySweepInterval_ms: settings.integer('BOOKING_EXPIRY_SWEEP_INTERVAL_MS', { min: 10, max: 60_000, default: DEFAULT_EXPIRY_SWEEP_INTERVAL_MS }),
    expiryBatchSize: settings.integer('BOOKING_EXPIRY_BATCH_SIZE', { min: 1, max: MAX_EXPIRY_BATCH_SIZE, default: DEFAULT_EXPIRY_BATCH_SIZE }),
  };
}
