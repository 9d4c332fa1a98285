import { SettingsReader } from '@txn/service-kit';
import { DEFAULT_HOLD_EXPIRY_GRACE_MS, readLedgerSettings } from './settings';

function read(env: NodeJS.ProcessEnv): ReturnType<typeof readLedgerSettings> {
  const reader = new SettingsReader(env);
  const settings = readLedgerSettings(reader);
  reader.done();
  return settings;
}

describe('ledger settings', () => {
  it('default to a grace before expiring holds, and hold no fee rates: the fee travels in PaymentCaptured', () => {
    const settings = read({});
    expect(settings.holdExpiryGrace_ms).toBe(DEFAULT_HOLD_EXPIRY_GRACE_MS);
    expect(Object.keys(settings).filter((name) => /fee/i.test(name))).toEqual([]);
  });

  it('refuse a batch size or grace outside their bounds, naming the setting', () => {
    expect(() => read({ LEDGER_HOLD_EXPIRY_BATCH_SIZE: '0' })).toThrow(/LEDGER_HOLD_EXPIRY_BATCH_SIZE/);
    expect(() => read({ LEDGER_HOLD_EXPIRY_GRACE_MS: '-1' })).toThrow(/LEDGER_HOLD_EXPIRY_GRACE_MS/);
  });
});
