import { ConfigError, SettingsReader } from '@txn/service-kit';
import { DEFAULT_HOLD_EXPIRY_GRACE_MS, DEFAULT_PLATFORM_FEE_BPS, feeBpsOf, parseMerchantFees, readLedgerSettings } from './settings';

function read(env: NodeJS.ProcessEnv): ReturnType<typeof readLedgerSettings> {
  const reader = new SettingsReader(env);
  const settings = readLedgerSettings(reader);
  reader.done();
  return settings;
}

describe('ledger settings', () => {
  it('defaults to the payment service\'s platform fee (1000 bps) and a grace before expiring holds', () => {
    const settings = read({});
    expect(settings.platformFeeBps).toBe(DEFAULT_PLATFORM_FEE_BPS);
    expect(DEFAULT_PLATFORM_FEE_BPS).toBe(1_000);
    expect(settings.platformFeeBpsByMerchant).toEqual({});
    expect(settings.holdExpiryGrace_ms).toBe(DEFAULT_HOLD_EXPIRY_GRACE_MS);
  });

  it('answers the merchant\'s own rate, else the default (never a prototype property)', () => {
    const rateOf = feeBpsOf(read({ PLATFORM_FEE_BPS: '300', PLATFORM_FEE_BPS_BY_MERCHANT: 'merchant-1:500,merchant-2:0' }));
    expect(rateOf('merchant-1')).toBe(500);
    expect(rateOf('merchant-2')).toBe(0);
    expect(rateOf('merchant-3')).toBe(300);
    expect(rateOf('constructor')).toBe(300);
    expect(parseMerchantFees('')).toEqual({});
  });

  it('refuses a rate outside 0..10000 bps and a malformed merchant list, naming both', () => {
    expect(() => read({ PLATFORM_FEE_BPS: '10001', PLATFORM_FEE_BPS_BY_MERCHANT: 'merchant-1=5' })).toThrow(ConfigError);
    expect(() => read({ PLATFORM_FEE_BPS: '10001', PLATFORM_FEE_BPS_BY_MERCHANT: 'merchant-1=5' })).toThrow(/PLATFORM_FEE_BPS: .*\n.*PLATFORM_FEE_BPS_BY_MERCHANT/);
    expect(() => read({ LEDGER_HOLD_EXPIRY_BATCH_SIZE: '0' })).toThrow(/LEDGER_HOLD_EXPIRY_BATCH_SIZE/);
  });
});
