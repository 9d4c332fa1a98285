import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadServiceConfig } from './config';

describe('service configuration', () => {
  let dir: string;
  let passwordFile: string;
  const base = (): NodeJS.ProcessEnv => ({
    SERVICE_NAME: 'booking',
    HTTP_PORT: '18501',
    DATABASE_HOST: '127.0.0.1',
    DATABASE_PORT: '55432',
    DATABASE_NAME: 'booking',
    DATABASE_USER: 'svc_booking',
    DATABASE_PASSWORD_FILE: passwordFile,
    KAFKA_BROKERS: '127.0.0.1:19092',
    SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18081/apis/ccompat/v7/',
  });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'service-kit-config-'));
    passwordFile = join(dir, 'password');
    writeFileSync(passwordFile, 's3cret\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every setting, the password from its file, with defaults where there are some', () => {
    const config = loadServiceConfig(base());
    expect(config).toMatchObject({
      serviceName: 'booking',
      httpPort: 18501,
      database: { host: '127.0.0.1', port: 55432, database: 'booking', user: 'svc_booking', password: 's3cret' },
      kafkaBrokers: ['127.0.0.1:19092'],
      schemaRegistryUrl: 'http://127.0.0.1:18081/apis/ccompat/v7',
      logLevel: 'info',
    });
  });

  it('fails fast naming every missing or invalid setting at once, never a secret', () => {
    const env = { ...base(), HTTP_PORT: '70000', KAFKA_BROKERS: undefined, LOG_LEVEL: 'loud', DATABASE_PASSWORD_FILE: join(dir, 'absent') };
    let error: unknown;
    try {
      loadServiceConfig(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['HTTP_PORT', 'KAFKA_BROKERS', 'LOG_LEVEL', 'DATABASE_PASSWORD_FILE']) expect(message).toContain(name);
    expect((error as ConfigError).problems).toHaveLength(4);
  });

  it('refuses a secret given in the environment itself', () => {
    expect(() => loadServiceConfig({ ...base(), DATABASE_PASSWORD: 'inline' })).toThrow(/DATABASE_PASSWORD: secrets are read from files only/);
  });

  it('validates a service\'s own settings in the same pass', () => {
    expect(() => loadServiceConfig({ ...base(), BOOKING_HOLD_MS: 'soon' }, (settings) => ({ hold_ms: settings.integer('BOOKING_HOLD_MS', { min: 1, max: 10, default: 5 }) }))).toThrow(/BOOKING_HOLD_MS/);
    expect(loadServiceConfig(base(), (settings) => ({ hold_ms: settings.integer('BOOKING_HOLD_MS', { min: 1, max: 10, default: 5 }) })).hold_ms).toBe(5);
  });
});
