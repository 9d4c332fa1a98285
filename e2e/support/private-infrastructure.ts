import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { componentsFor, loadPlatformConfig, Supervisor, type Component, type ComponentContext, type PlatformConfig } from '@txn/infra-local';
import { freePort } from '@txn/testing';

// A PostgreSQL and a Kafka broker of one suite's own, started by the same supervisor and components
// as `./platform up` (their own state folder and ports), so that a test can SIGKILL the broker or
// the database mid-saga without touching the platform's, which every other suite shares at the same
// time. The schema registry and the PSP sandbox stay the platform's: nothing here kills them.

/** The components a suite may kill and start again. */
export type PrivateComponent = 'postgres' | 'kafka';

export interface PrivateInfrastructure {
  /** The platform's configuration with this suite's state folder, PostgreSQL and Kafka ports. */
  readonly config: PlatformConfig;
  /** The platform's own service components on this configuration (settings, databases, roles). */
  readonly supervisor: Supervisor;
  /** A component's context, for its settings (`command(ctx).env`). */
  contextOf(name: string): { readonly component: Component; readonly ctx: ComponentContext };
  /** SIGKILL to the component's process group, as a crash would; resolves once it is gone. */
  kill(component: PrivateComponent): Promise<void>;
  /** Starts it again (crash recovery, then the set-up `up` does: roles, databases, topics). */
  start(component: PrivateComponent): Promise<void>;
  /** Stops both and removes the state folder; its logs are kept in the platform's, under the label. */
  close(): Promise<void>;
}

const EXIT_TIMEOUT_MS = 10_000;
const EXIT_POLL_MS = 50;

/**
 * The broker's jars are the platform's (resolved from Maven Central once): linked, not fetched
 * again, with the install stamp that tells the component they are complete.
 */
function shareKafkaInstall(platform: PlatformConfig, own: PlatformConfig): void {
  const from = join(platform.stateDir, 'kafka');
  const to = join(own.stateDir, 'kafka');
  mkdirSync(to, { recursive: true });
  const libDir = `lib-${platform.kafka.version}`;
  if (!existsSync(join(from, libDir))) throw new Error(`the platform's Kafka ${platform.kafka.version} is not installed in ${from}: run ./platform up kafka (the test setup does)`);
  symlinkSync(join(from, libDir), join(to, libDir), 'dir');
  for (const file of readdirSync(from).filter((name) => name.startsWith(libDir) && name.endsWith('.installed.json'))) copyFileSync(join(from, file), join(to, file));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function untilGone(pid: number, what: string): Promise<void> {
  const deadline = Date.now() + EXIT_TIMEOUT_MS;
  while (processAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`${what} (pid ${pid}) still alive ${EXIT_TIMEOUT_MS} ms after SIGKILL`);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, EXIT_POLL_MS));
  }
}

export interface PrivateInfrastructureOptions {
  /** PLATFORM_INSTANCES of the configuration: the service components it has (default 1). */
  readonly instances?: number;
  readonly log?: (message: string) => void;
}

export async function startPrivateInfrastructure(label: string, options: PrivateInfrastructureOptions = {}): Promise<PrivateInfrastructure> {
  const log = options.log ?? ((): void => undefined);
  const platform = loadPlatformConfig();
  const stateDir = join(platform.stateDir, 'private', `${label}-${randomBytes(4).toString('hex')}`);
  const config = loadPlatformConfig({
    ...process.env,
    PLATFORM_STATE_DIR: stateDir,
    PLATFORM_POSTGRES_PORT: String(await freePort()),
    PLATFORM_KAFKA_PORT: String(await freePort()),
    PLATFORM_KAFKA_CONTROLLER_PORT: String(await freePort()),
    PLATFORM_INSTANCES: String(options.instances ?? 1),
  });
  shareKafkaInstall(platform, config);
  const supervisor = new Supervisor(config, componentsFor(config), (message) => log(`[${label}] ${message}`));
  const close = async (): Promise<void> => {
    await supervisor.down(['kafka', 'postgres']).catch(() => undefined);
    // The last run's logs stay for a person (the platform's logs folder), the rest goes.
    const keptLogs = join(platform.stateDir, 'logs', label);
    rmSync(keptLogs, { recursive: true, force: true });
    if (existsSync(join(stateDir, 'logs'))) renameSync(join(stateDir, 'logs'), keptLogs);
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    await supervisor.up(['postgres']);
    await supervisor.up(['kafka']);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    config,
    supervisor,
    contextOf(name) {
      const component = supervisor.components.find((candidate) => candidate.name === name);
      if (component === undefined) throw new Error(`no component ${name}`);
      return { component, ctx: supervisor.context(component) };
    },
    async kill(component) {
      const running = supervisor.runningProcess(component);
      if (running === undefined) throw new Error(`${component} is not running`);
      // Its whole process group, as a power cut would: PostgreSQL's backends go with the postmaster.
      process.kill(-running.pid, 'SIGKILL');
      await untilGone(running.pid, component);
    },
    async start(component) {
      await supervisor.up([component]);
    },
    close,
  };
}
