import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { feeTermsFor } from '@txn/payment-domain';
import { ConfigError, SettingsReader } from '@txn/service-kit';
import { DEFAULT_PLATFORM_FEE_BPS, feeScheduleVersion, readPaymentSettings } from './settings';

const keyFile = join(mkdtempSync(join(tmpdir(), 'payment-settings-')), 'psp-key');
writeFileSync(keyFile, 'sk_test_settings');

function read(env: NodeJS.ProcessEnv): ReturnType<typeof readPaymentSettings> {
  const reader = new SettingsReader({ PSP_API_URL: 'http://127.0.0.1:1', PSP_API_KEY_FILE: keyFile, ...env });
  const settings = readPaymentSettings(reader);
  reader.done();
  return settings;
}

describe('payment fee settings', () => {
  it('read into a Map: a merchant id such as constructor or __proto__ is a key, never a path into Object.prototype', () => {
    const { feeSchedule } = read({ PLATFORM_FEE_BPS: '300', PLATFORM_FEE_BPS_BY_MERCHANT: 'merchant-1:500,constructor:0' });
    expect(feeTermsFor(feeSchedule, 'merchant-1')).toMatchObject({ bps: 500, rule: 'MERCHANT_RATE/HALF_UP' });
    expect(feeTermsFor(feeSchedule, 'constructor')).toMatchObject({ bps: 0, rule: 'MERCHANT_RATE/HALF_UP' });
    for (const merchant of ['__proto__', 'toString', 'merchant-2']) expect(feeTermsFor(feeSchedule, merchant)).toMatchObject({ bps: 300, rule: 'DEFAULT_RATE/HALF_UP' });
    expect(read({}).feeSchedule.defaultBps).toBe(DEFAULT_PLATFORM_FEE_BPS);
  });

  it('version the schedule by its rates: the same rates give the same version in any order, any change a new one', () => {
    const version = read({ PLATFORM_FEE_BPS_BY_MERCHANT: 'a:1,b:2' }).feeSchedule.version;
    expect(version).toMatch(/^fs-[0-9a-f]{16}$/);
    expect(read({ PLATFORM_FEE_BPS_BY_MERCHANT: 'b:2,a:1' }).feeSchedule.version).toBe(version);
    expect(read({ PLATFORM_FEE_BPS_BY_MERCHANT: 'a:1,b:3' }).feeSchedule.version).not.toBe(version);
    expect(read({ PLATFORM_FEE_BPS: '999', PLATFORM_FEE_BPS_BY_MERCHANT: 'a:1,b:2' }).feeSchedule.version).not.toBe(version);
    expect(feeScheduleVersion(1_000, new Map())).toBe(read({}).feeSchedule.version);
  });

  it('refuse a rate outside 0..10000 bps, a malformed list and a merchant named twice, naming each', () => {
    expect(() => read({ PLATFORM_FEE_BPS: '10001' })).toThrow(/PLATFORM_FEE_BPS: /);
    expect(() => read({ PLATFORM_FEE_BPS_BY_MERCHANT: 'merchant-1=5' })).toThrow(ConfigError);
    expect(() => read({ PLATFORM_FEE_BPS_BY_MERCHANT: 'merchant-1:5,merchant-1:7' })).toThrow(/PLATFORM_FEE_BPS_BY_MERCHANT: names "merchant-1" more than once/);
  });
});
