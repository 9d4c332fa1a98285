import type { PoolConfig } from 'pg';
import { ConfigError, SettingsReader } from './config';

/**
 * Where a service's command-line program (a ledger verify, a reconciliation run) connects:
 * `<SERVICE>_DATABASE_URL` if set, else the settings the service itself reads (the password from
 * its file). Throws a one-line explanation naming what is missing and how to run it locally.
 */
export function commandConnection(service: string, command: string, env: NodeJS.ProcessEnv, localCommand: string): PoolConfig {
  const urlVariable = `${service.toUpperCase()}_DATABASE_URL`;
  const url = env[urlVariable];
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
    throw new Error(`${command}: which ${service} database? ${problems}. Set the ${service}'s DATABASE_* settings (or ${urlVariable}); locally, run ${localCommand}`);
  }
  return config;
}

/** JSON with bigints as decimal strings: amounts are exact. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
