import type { PoolConfig } from 'pg';
import { ConfigError, SettingsReader } from '@txn/service-kit';

/**
 * Where a ledger command (verify, breaks) connects: LEDGER_DATABASE_URL if set, else the settings
 * the ledger service itself reads (password from its file). Throws a one-line explanation.
 */
export function commandConnection(command: string, env: NodeJS.ProcessEnv): PoolConfig {
  const url = env.LEDGER_DATABASE_URL;
  if (url !== undefined && url !== '') return { connectionString: url };
  const settings = new SettingsReader(env);
  const config: PoolConfig = {
    host: settings.text('DATABASE_HOST'),
    port: settings.port('DATABASE_PORT'),
    database: settings.text('DATABASE_NAME'),
    user: settings.text('DATABASE_USER'),
    password: settings.secretFile('DATABASE_PASSWORD'),
  };
  try {
    settings.done();
  } catch (error) {
    const problems = error instanceof ConfigError ? error.problems.join('; ') : (error as Error).message;
    throw new Error(`${command}: which ledger database? ${problems}. Set the ledger's DATABASE_* settings (or LEDGER_DATABASE_URL); locally, run ./platform ledger ${command}`);
  }
  return config;
}

/** JSON with bigints as decimal strings: amounts are exact. */
export function json(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
