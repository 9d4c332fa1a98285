import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { alertReceiverUrl, announceScrapeTargets, findRootDir, loadPlatformConfig, prometheusUrl, type PlatformConfig } from '@txn/infra-local';
import type { RunningService } from '@txn/service-kit';

// What the exercised-runbook tests share: the platform's Prometheus and alert receiver as an
// operator reads them, in-process services announced to Prometheus as the services they are, and
// the `./platform` CLI run as a person runs it.

const ROOT = findRootDir(__dirname);
/** A CLI command talks to Kafka (a group join for `dlq show`/`replay`): seconds; bounded anyway. */
const CLI_TIMEOUT_MS = 90_000;
const run = promisify(execFile);

export function platformConfig(): PlatformConfig {
  return loadPlatformConfig(process.env, ROOT);
}

export interface ActiveAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly state: 'pending' | 'firing';
}

export interface ReceivedAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** What an alert must carry to be the drill's: its name and labels (env, group, …). */
export type AlertMatch = Readonly<Record<string, string>>;

function matches(labels: Readonly<Record<string, string>>, wanted: AlertMatch): boolean {
  return Object.entries(wanted).every(([name, value]) => labels[name] === value);
}

/** Prometheus' active alerts (`/api/v1/alerts`: pending and firing) with these labels. */
export async function prometheusAlerts(wanted: AlertMatch): Promise<ActiveAlert[]> {
  const response = await fetch(`${prometheusUrl(platformConfig())}/api/v1/alerts`);
  const body = (await response.json()) as { data: { alerts: ActiveAlert[] } };
  return body.data.alerts.filter((alert) => matches(alert.labels, wanted));
}

/** What the alert receiver (the pager) got, firing and resolved, with these labels. */
export async function receivedAlerts(wanted: AlertMatch): Promise<ReceivedAlert[]> {
  const response = await fetch(`${alertReceiverUrl(platformConfig())}/alerts`);
  return ((await response.json()) as ReceivedAlert[]).filter((alert) => matches(alert.labels, wanted));
}

export interface CliResult {
  readonly code: number;
  readonly output: string;
}

async function runNode(script: readonly string[], args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(ROOT, ...script), ...args], { cwd: ROOT, timeout: CLI_TIMEOUT_MS, env });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 2, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** `./platform <args>` as a person types it (the CLI without the bootstrap step: the toolchain is the one running this test). */
export function platformCli(args: readonly string[]): Promise<CliResult> {
  return runNode(['tools', 'platform', 'src', 'main.ts'], args, process.env);
}

/** A program of a service's (`services/<service>/src/<program>`) with the settings given: what `./platform recon …` runs, here on a suite database. */
export function serviceProgram(service: string, program: string, args: readonly string[], settings: Readonly<Record<string, string>>): Promise<CliResult> {
  // A URL in this environment naming another database would win over the settings (commandConnection).
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.endsWith('_DATABASE_URL')));
  return runNode(['services', service, 'src', program], args, { ...inherited, ...settings });
}

/**
 * Announces in-process services to the platform's Prometheus as the services they are, under an
 * env of the drill's own (the rules keep it in their grouping, so the drill's alerts are its own);
 * returns the withdrawal, to call before the services stop (else ServiceDown would pend for them).
 */
export function announceServices(env: string, services: Readonly<Record<string, RunningService>>): () => void {
  const targets = Object.entries(services).map(([service, running]) => ({ address: `127.0.0.1:${running.httpPort}`, service, component: `${env}-${service}`, env }));
  return announceScrapeTargets(platformConfig(), env, targets);
}
