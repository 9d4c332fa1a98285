import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsReader } from '@txn/service-kit';
import { readIngressSettings } from './settings';

describe('webhook ingress settings', () => {
  let directory: string;
  const file = (name: string, value: string): string => {
    writeFileSync(join(directory, name), value, { mode: 0o600 });
    return join(directory, name);
  };
  beforeEach(() => (directory = mkdtempSync(join(tmpdir(), 'ingress-settings-'))));
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  function read(env: NodeJS.ProcessEnv): ReturnType<typeof readIngressSettings> {
    const reader = new SettingsReader(env);
    const settings = readIngressSettings(reader);
    reader.done();
    return settings;
  }

  it('catches up every PSP account that has an API key, each with its own, and leaves one without a key out', () => {
    const settings = read({
      WEBHOOK_STRIPE_SECRET_FILE: file('default', 'whsec_default'),
      WEBHOOK_STRIPE_ACCOUNTS: 'eu,us-east',
      WEBHOOK_STRIPE_EU_SECRET_FILE: file('eu', 'whsec_eu'),
      WEBHOOK_STRIPE_EU_API_KEY_FILE: file('eu-key', 'sk_test_eu'),
      WEBHOOK_STRIPE_US_EAST_SECRET_FILE: file('us', 'whsec_us'),
      PSP_API_URL: 'http://127.0.0.1:12111',
      PSP_API_KEY_FILE: file('key', 'sk_test_default'),
    });
    expect([...settings.stripeAccounts.keys()]).toEqual(['eu', 'us-east']);
    expect([...(settings.catchUp?.accounts ?? new Map())].map(([account, psp]) => [account, psp.apiKey, psp.apiUrl])).toEqual([
      ['default', 'sk_test_default', 'http://127.0.0.1:12111'],
      ['eu', 'sk_test_eu', 'http://127.0.0.1:12111'],
    ]);
  });

  it('refuses `default` among the further accounts, and has no catch-up without PSP_API_URL', () => {
    expect(() => read({ WEBHOOK_STRIPE_SECRET_FILE: file('default', 'whsec_default'), WEBHOOK_STRIPE_ACCOUNTS: 'default' })).toThrow(/"default" is the account of POST \/webhooks\/stripe/);
    expect(read({ WEBHOOK_STRIPE_SECRET_FILE: file('default', 'whsec_default') }).catchUp).toBeUndefined();
  });
});
