import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { newMasterKeyLine } from '@txn/personal-data';
import { ensurePodmanSocket, ensureStaffSigningKeys, postgresNames, stopPodmanSocket, type PlatformConfig } from '@txn/infra-local';
import { ensureContainerTools, podmanEnv, run } from './images-build';

/**
 * docker-compose.yml through podman on this machine: Debian's docker-compose (v1) talks to podman's
 * Docker-compatible API on a socket of our own. podman 4.3 schedules health checks with systemd
 * timers, and there is no systemd here, so while the stack starts a ticker runs `podman healthcheck
 * run` for every container not yet healthy: that is what `depends_on: service_healthy` waits on.
 */

export const COMPOSE_PROJECT = 'txn-platform';
const UP_TIMEOUT_MS = 10 * 60_000;
const DOWN_TIMEOUT_MS = 3 * 60_000;
const HEALTH_TICK_MS = 2_000;
const ALL_HEALTHY_TIMEOUT_MS = 120_000;

export interface ComposeOptions {
  /** Compose project name (containers, volumes and network are named after it). */
  readonly project?: string;
  /** Host ports: variables of docker-compose.yml (TXN_GATEWAY_API_PORT, …); unset ones take platform.json's. */
  readonly ports?: Readonly<Record<string, number>>;
  /** Where the secret files are (default .platform/compose/secrets). */
  readonly secretsDir?: string;
}

function composeStateDir(config: PlatformConfig): string {
  return join(config.stateDir, 'compose');
}

/**
 * The secret files docker-compose.yml mounts (compose `secrets:`), random and made once. Files are
 * 0644 in a 0700 folder: the folder keeps other users of this machine out, while the containers'
 * non-root users can read the single files bind-mounted into /run/secrets.
 */
export function writeComposeSecrets(config: PlatformConfig, dir?: string): string {
  const base = dir === undefined ? composeStateDir(config) : join(dir, '..');
  const secretsDir = join(base, 'secrets');
  const roles = [...config.services.flatMap((service) => [postgresNames(service).role, postgresNames(service).ownerRole]), postgresNames('schema-registry').role, 'platform_admin'];
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  const random = (): string => randomBytes(24).toString('base64url');
  const makers: Record<string, () => string> = Object.fromEntries([...roles.map((role) => `postgres-${role}`), 'webhook-signing-key'].map((name) => [name, random]));
  const fixedShape: Readonly<Record<string, () => string>> = {
    ...makers,
    'psp-api-key': () => `sk_test_compose_${randomBytes(12).toString('hex')}`,
    'webhook-stripe-signing-secret': () => `whsec_${randomBytes(24).toString('base64url')}`,
    'personal-data-keyring': () => `${newMasterKeyLine(`k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`)}\n`,
  };
  for (const [name, make] of Object.entries(fixedShape)) {
    const path = join(secretsDir, `${name}.secret`);
    if (!existsSync(path)) writeFileSync(path, make(), { mode: 0o600 });
  }
  ensureStaffSigningKeys(base);
  chmodSync(secretsDir, 0o700);
  for (const file of readdirSync(secretsDir)) if (file !== 'staff-token-signing-jwk.secret') chmodSync(join(secretsDir, file), 0o644);
  return secretsDir;
}

export function composeEnv(config: PlatformConfig, options: ComposeOptions, socket: string): NodeJS.ProcessEnv {
  const ports = Object.fromEntries(Object.entries(options.ports ?? {}).map(([name, port]) => [name, String(port)]));
  return { ...podmanEnv(config), ...ports, DOCKER_HOST: `unix://${socket}`, COMPOSE_PROJECT_NAME: options.project ?? COMPOSE_PROJECT, TXN_SECRETS_DIR: options.secretsDir ?? join(composeStateDir(config), 'secrets') };
}

/** One round: every container of the project whose health is still starting (or unhealthy) is checked now. */
async function healthTick(env: NodeJS.ProcessEnv, project: string): Promise<void> {
  const ids = await run('podman', ['ps', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.ID}} {{.Status}}'], env, { timeout_ms: 10_000, quiet: true }).catch(() => '');
  const waiting = ids.split('\n').filter((line) => /\((starting|unhealthy)\)/.test(line)).map((line) => line.split(' ')[0] ?? '');
  await Promise.all(waiting.filter(Boolean).map((id) => run('podman', ['healthcheck', 'run', id], env, { timeout_ms: 15_000, quiet: true }).catch(() => undefined)));
}

/** Runs `work` while health checks are driven every HEALTH_TICK_MS. */
export async function withHealthTicker<T>(env: NodeJS.ProcessEnv, project: string, work: () => Promise<T>): Promise<T> {
  let stopped = false;
  const ticker = (async () => {
    while (!stopped) {
      await healthTick(env, project);
      await new Promise((resolvePromise) => setTimeout(resolvePromise, HEALTH_TICK_MS));
    }
  })();
  try {
    return await work();
  } finally {
    stopped = true;
    await ticker;
  }
}

async function untilAllHealthy(env: NodeJS.ProcessEnv, project: string): Promise<void> {
  const deadline_ms = Date.now() + ALL_HEALTHY_TIMEOUT_MS;
  for (;;) {
    const statuses = await run('podman', ['ps', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}} {{.Status}}'], env, { timeout_ms: 10_000, quiet: true });
    const waiting = statuses.split('\n').filter((line) => /\((starting|unhealthy)\)/.test(line));
    if (waiting.length === 0) return;
    if (Date.now() > deadline_ms) throw new Error(`not healthy within ${ALL_HEALTHY_TIMEOUT_MS} ms: ${waiting.join('; ')}`);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, HEALTH_TICK_MS));
  }
}

/** `docker-compose up -d` of the whole platform, every dependency waited on by its health check. */
export async function composeUp(config: PlatformConfig, options: ComposeOptions): Promise<NodeJS.ProcessEnv> {
  await ensureContainerTools();
  if (options.secretsDir === undefined) writeComposeSecrets(config);
  const env = composeEnv(config, options, await ensurePodmanSocket(config));
  mkdirSync(composeStateDir(config), { recursive: true });
  const project = options.project ?? COMPOSE_PROJECT;
  await withHealthTicker(env, project, async () => {
    await run('docker-compose', ['-f', 'docker-compose.yml', 'up', '-d', '--no-build'], env, { timeout_ms: UP_TIMEOUT_MS, cwd: config.rootDir });
    // What nothing depends on (the gateway) is started, not yet waited for.
    await untilAllHealthy(env, project);
  });
  return env;
}

/** Containers, volumes and the network of the project removed; the socket service stopped. */
export async function composeDown(config: PlatformConfig, options: ComposeOptions): Promise<void> {
  const env = composeEnv(config, options, await ensurePodmanSocket(config));
  try {
    await run('docker-compose', ['-f', 'docker-compose.yml', 'down', '--volumes', '--remove-orphans', '--timeout', '30'], env, { timeout_ms: DOWN_TIMEOUT_MS, cwd: config.rootDir });
  } finally {
    stopPodmanSocket(config);
  }
}
