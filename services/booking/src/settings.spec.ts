import { ConfigError, SettingsReader } from '@txn/service-kit';
import { DEFAULT_BOOKING_SETTINGS, readBookingSettings, type BookingSettings } from './settings';

function read(env: NodeJS.ProcessEnv): BookingSettings {
  const reader = new SettingsReader(env);
  const settings = readBookingSettings(reader);
  reader.done();
  return settings;
}

describe('booking settings', () => {
  it('defaults to a 15 min hold, 1 h to capture, 72 h after the slot to complete, and watches every second', () => {
    expect(read({})).toEqual(DEFAULT_BOOKING_SETTINGS);
    expect(DEFAULT_BOOKING_SETTINGS).toMatchObject({ hold_ms: 900_000, captureDeadline_ms: 3_600_000, completionGrace_ms: 259_200_000, deadlineWatchInterval_ms: 1_000, deadlineBatchSize: 100 });
  });

  it('reads the deadlines from the environment', () => {
    expect(read({ BOOKING_CAPTURE_DEADLINE_MS: '1500', BOOKING_COMPLETION_GRACE_MS: '0', BOOKING_DEADLINE_WATCH_INTERVAL_MS: '200', BOOKING_DEADLINE_BATCH_SIZE: '10' })).toMatchObject({
      captureDeadline_ms: 1_500,
      completionGrace_ms: 0,
      deadlineWatchInterval_ms: 200,
      deadlineBatchSize: 10,
    });
  });

  it('refuses deadlines outside their bounds, naming every bad setting at once', () => {
    const bad = {
      // Under a second is a race with the normal path; over 7 days the authorization has lapsed.
      BOOKING_CAPTURE_DEADLINE_MS: '999',
      BOOKING_COMPLETION_GRACE_MS: String(31 * 24 * 3_600_000),
      BOOKING_DEADLINE_WATCH_INTERVAL_MS: '5',
      BOOKING_DEADLINE_BATCH_SIZE: '1001',
    };
    expect(() => read(bad)).toThrow(ConfigError);
    expect(() => read(bad)).toThrow(/BOOKING_CAPTURE_DEADLINE_MS.*\n.*BOOKING_COMPLETION_GRACE_MS.*\n.*BOOKING_DEADLINE_WATCH_INTERVAL_MS.*\n.*BOOKING_DEADLINE_BATCH_SIZE/);
    expect(() => read({ BOOKING_CAPTURE_DEADLINE_MS: String(7 * 24 * 3_600_000 + 1) })).toThrow(/BOOKING_CAPTURE_DEADLINE_MS/);
  });

  it("waits 15 min after a hold expires before the sweeper may expire it, as the ledger's LEDGER_HOLD_EXPIRY_GRACE_MS; 0 turns the grace off; a day at most", () => {
    expect(DEFAULT_BOOKING_SETTINGS.holdExpiryGrace_ms).toBe(900_000);
    expect(read({ BOOKING_HOLD_EXPIRY_GRACE_MS: '0' }).holdExpiryGrace_ms).toBe(0);
    expect(read({ BOOKING_HOLD_EXPIRY_GRACE_MS: String(24 * 3_600_000) }).holdExpiryGrace_ms).toBe(24 * 3_600_000);
    expect(() => read({ BOOKING_HOLD_EXPIRY_GRACE_MS: '-1' })).toThrow(/BOOKING_HOLD_EXPIRY_GRACE_MS/);
    expect(() => read({ BOOKING_HOLD_EXPIRY_GRACE_MS: String(24 * 3_600_000 + 1) })).toThrow(/BOOKING_HOLD_EXPIRY_GRACE_MS/);
  });
});
