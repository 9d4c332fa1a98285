import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadMigrationConfig, loadServiceConfig, MAX_KAFKA_CONSUMER_GROUP_LENGTH, MAX_KAFKA_TOPIC_PREFIX_LENGTH } from './config';

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

  /** The problems a ConfigError names; none when the configuration loads. */
  function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
    try {
      loadServiceConfig(env);
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  }

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
      kafkaTopicPrefix: '',
      kafkaConsumerGroup: 'booking',
      kafkaSessionTimeout_ms: 30_000,
      inboxRetentionDays: 30,
    });
  });

  it('listens for probes and scrapes on HTTP_HOST when given (0.0.0.0 in a pod), on the loopback otherwise', () => {
    expect(loadServiceConfig(base()).httpHost).toBeUndefined();
    expect(loadServiceConfig({ ...base(), HTTP_HOST: '0.0.0.0' }).httpHost).toBe('0.0.0.0');
    expect(problemsOf({ ...base(), HTTP_HOST: 'not a host' })).toEqual([expect.stringMatching(/^HTTP_HOST: /)]);
  });

  it('takes a consumer session timeout within the bounds a Kafka broker accepts by default (6 s to 5 min)', () => {
    expect(loadServiceConfig({ ...base(), KAFKA_SESSION_TIMEOUT_MS: '6000' }).kafkaSessionTimeout_ms).toBe(6_000);
    expect(problemsOf({ ...base(), KAFKA_SESSION_TIMEOUT_MS: '5999' })).toEqual([expect.stringMatching(/^KAFKA_SESSION_TIMEOUT_MS: "5999" is not an integer in 6000\.\.300000/)]);
    expect(problemsOf({ ...base(), KAFKA_SESSION_TIMEOUT_MS: '300001' })).toEqual([expect.stringMatching(/^KAFKA_SESSION_TIMEOUT_MS: /)]);
  });

  it('keeps inbox rows 8 to 365 days (INBOX_RETENTION_DAYS): never less than Kafka keeps the records they dedup', () => {
    expect(loadServiceConfig({ ...base(), INBOX_RETENTION_DAYS: '8' }).inboxRetentionDays).toBe(8);
    expect(loadServiceConfig({ ...base(), INBOX_RETENTION_DAYS: '365' }).inboxRetentionDays).toBe(365);
    for (const days of ['7', '366', '0', '10.5', 'thirty']) {
      expect(problemsOf({ ...base(), INBOX_RETENTION_DAYS: days })).toEqual([`INBOX_RETENTION_DAYS: ${JSON.stringify(days)} is not an integer in 8..365`]);
    }
  });

  it('puts an environment on its own topics and consumer group when told: KAFKA_TOPIC_PREFIX and KAFKA_CONSUMER_GROUP', () => {
    const config = loadServiceConfig({ ...base(), KAFKA_TOPIC_PREFIX: 'staging.', KAFKA_CONSUMER_GROUP: 'staging.booking' });
    expect(config).toMatchObject({ kafkaTopicPrefix: 'staging.', kafkaConsumerGroup: 'staging.booking' });
    // Kafka's own limits: a topic name is at most 249 characters of [A-Za-z0-9._-].
    expect(loadServiceConfig({ ...base(), KAFKA_TOPIC_PREFIX: `${'p'.repeat(MAX_KAFKA_TOPIC_PREFIX_LENGTH - 1)}.` }).kafkaTopicPrefix).toHaveLength(MAX_KAFKA_TOPIC_PREFIX_LENGTH);
    expect(loadServiceConfig({ ...base(), KAFKA_CONSUMER_GROUP: 'G'.repeat(MAX_KAFKA_CONSUMER_GROUP_LENGTH) }).kafkaConsumerGroup).toHaveLength(MAX_KAFKA_CONSUMER_GROUP_LENGTH);
  });

  it('refuses a topic prefix or consumer group Kafka would not accept in a topic name, naming both', () => {
    for (const [prefix, group] of [
      ['staging/', 'booking group'],
      ['stäging.', 'booking:1'],
      [`${'p'.repeat(MAX_KAFKA_TOPIC_PREFIX_LENGTH)}.`, 'g'.repeat(MAX_KAFKA_CONSUMER_GROUP_LENGTH + 1)],
    ]) {
      expect(problemsOf({ ...base(), KAFKA_TOPIC_PREFIX: prefix, KAFKA_CONSUMER_GROUP: group })).toEqual([expect.stringMatching(/^KAFKA_TOPIC_PREFIX: /), expect.stringMatching(/^KAFKA_CONSUMER_GROUP: /)]);
    }
  });

  it('reports a missing service name once, not again as the consumer group it would default to', () => {
    expect(problemsOf({ ...base(), SERVICE_NAME: undefined })).toEqual([expect.stringMatching(/^SERVICE_NAME: missing/)]);
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

  it('migrates at start only when given the migration role\'s login (DATABASE_MIGRATION_USER and its password file)', () => {
    expect(loadServiceConfig(base()).databaseMigration).toBeUndefined();
    const config = loadServiceConfig({ ...base(), DATABASE_MIGRATION_USER: 'svc_booking_owner', DATABASE_MIGRATION_PASSWORD_FILE: passwordFile });
    expect(config.databaseMigration).toEqual({ host: '127.0.0.1', port: 55432, database: 'booking', user: 'svc_booking_owner', password: 's3cret' });
    expect(config.database.user).toBe('svc_booking');
    expect(problemsOf({ ...base(), DATABASE_MIGRATION_USER: 'svc_booking_owner' })).toEqual([expect.stringMatching(/^DATABASE_MIGRATION_PASSWORD_FILE: missing/)]);
    expect(problemsOf({ ...base(), DATABASE_MIGRATION_PASSWORD_FILE: passwordFile })).toEqual(['DATABASE_MIGRATION_PASSWORD_FILE: set without DATABASE_MIGRATION_USER']);
  });

  it('reads what the migrate command needs: the owner\'s login and the runtime role\'s name, no Kafka, no runtime password', () => {
    const env = { SERVICE_NAME: 'ledger', DATABASE_HOST: '127.0.0.1', DATABASE_PORT: '55432', DATABASE_NAME: 'ledger', DATABASE_USER: 'svc_ledger', DATABASE_MIGRATION_USER: 'svc_ledger_owner', DATABASE_MIGRATION_PASSWORD_FILE: passwordFile };
    expect(loadMigrationConfig(env)).toEqual({ serviceName: 'ledger', database: { host: '127.0.0.1', port: 55432, database: 'ledger', user: 'svc_ledger_owner', password: 's3cret' }, runtimeRole: 'svc_ledger', logLevel: 'info' });
    expect(() => loadMigrationConfig({ ...env, DATABASE_MIGRATION_USER: undefined, DATABASE_MIGRATION_PASSWORD_FILE: undefined })).toThrow(/DATABASE_MIGRATION_USER: missing/);
  });

  it('refuses a secret given in the environment itself', () => {
    expect(() => loadServiceConfig({ ...base(), DATABASE_PASSWORD: 'inline' })).toThrow(/DATABASE_PASSWORD: secrets are read from files only/);
  });

  it('validates a service\'s own settings in the same pass', () => {
    expect(() => loadServiceConfig({ ...base(), BOOKING_HOLD_MS: 'soon' }, (settings) => ({ hold_ms: settings.integer('BOOKING_HOLD_MS', { min: 1, max: 10, default: 5 }) }))).toThrow(/BOOKING_HOLD_MS/);
    expect(loadServiceConfig(base(), (settings) => ({ hold_ms: settings.integer('BOOKING_HOLD_MS', { min: 1, max: 10, default: 5 }) })).hold_ms).toBe(5);
  });
});
