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

const DURATION = /^(\d{1,6})([smhd])$/;
const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A command's `--name value`; undefined when absent; throws when the value is missing. */
export function commandOption(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at === -1) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} takes a value`);
  return value;
}

/** `24h`, `90m` (that long before `now`), or an ISO time. */
export function commandInstant(text: string, now: Date, name: string): Date {
  const duration = DURATION.exec(text);
  if (duration !== null) return new Date(now.getTime() - Number(duration[1]) * (UNIT_MS[duration[2] ?? 's'] ?? 1_000));
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw new Error(`${name}: "${text}" is neither a duration (24h, 90m) nor an ISO time`);
  return at;
}

/** A whole number 1..max, or `fallback` when absent. */
export function commandInteger(text: string | undefined, fallback: number, max: number, name: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1 || value > max) throw new Error(`${name} takes 1..${max}, got ${text}`);
  return value;
}
