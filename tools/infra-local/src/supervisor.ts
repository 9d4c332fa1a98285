import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Component, ComponentContext, ProbeResult } from './component';
import type { PlatformConfig } from './config';
import { withOperationLock } from './operation-lock';
import { findPortOwner, isPortInUse } from './port-owner';
import {
  isRecordedProcessAlive,
  isStillRunning,
  orphansOfGroup,
  readProcessRecord,
  recordSetUp,
  removeProcessRecord,
  writeProcessRecord,
  type ProcessRecord,
} from './process-record';

const PROBE_INTERVAL_MS = 250;
const LOG_TAIL_BYTES = 4_000;
/** Long enough for another command's cold `up` (first install of every component). */
const OPERATION_LOCK_WAIT_S = 900;

/** A failure the person running the CLI can act on: it names the component, the cause and the log. */
export class ComponentError extends Error {
  constructor(
    readonly component: string,
    readonly reason: string,
    readonly logFile: string,
  ) {
    super(`${component}: ${reason}\n  log: ${logFile}`);
    this.name = 'ComponentError';
  }
}

export type UpOutcome = 'started' | 'reused';

export interface ComponentStatus {
  readonly name: string;
  readonly version: string;
  readonly state: 'up' | 'starting-or-unhealthy' | 'down';
  readonly pid: number | undefined;
  readonly ports: readonly { name: string; port: number }[];
  readonly logFile: string;
  readonly detail: string;
}

export function tailOfFile(path: string, bytes = LOG_TAIL_BYTES): string {
  try {
    const size = statSync(path).size;
    const text = readFileSync(path, 'utf8');
    return size > bytes ? text.slice(-bytes) : text;
  } catch {
    return '(no log yet)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolvePromise) => setTimeout(resolvePromise, ms));
}

/** Orders components so that every dependency comes before its dependants. */
export function startOrder(components: readonly Component[]): Component[] {
  const byName = new Map(components.map((c) => [c.name, c]));
  const ordered: Component[] = [];
  const visiting = new Set<string>();
  const visit = (component: Component): void => {
    if (ordered.includes(component)) return;
    if (visiting.has(component.name)) throw new Error(`dependency cycle through ${component.name}`);
    visiting.add(component.name);
    for (const dependency of component.dependsOn) {
      const found = byName.get(dependency);
      if (found === undefined) throw new Error(`${component.name} depends on unknown component ${dependency}`);
      visit(found);
    }
    visiting.delete(component.name);
    ordered.push(component);
  };
  components.forEach(visit);
  return ordered;
}

/**
 * Starts, checks and stops the local infrastructure as plain processes. It only ever signals
 * processes recorded in its own pid files (pid + start time), never anything found by name.
 */
export class Supervisor {
  private readonly ordered: Component[];

  constructor(
    private readonly config: PlatformConfig,
    components: readonly Component[],
    private readonly log: (message: string) => void = (message) => process.stderr.write(`[platform] ${message}\n`),
  ) {
    this.ordered = startOrder(components);
  }

  get components(): readonly Component[] {
    return this.ordered;
  }

  context(component: Component): ComponentContext {
    const componentDir = join(this.config.stateDir, component.name);
    return {
      config: this.config,
      stateDir: this.config.stateDir,
      rootDir: this.config.rootDir,
      componentDir,
      dataDir: join(componentDir, 'data'),
      logFile: join(this.config.stateDir, 'logs', `${component.name}.log`),
      log: (message) => this.log(`${component.name}: ${message}`),
    };
  }

  private pidFile(component: Component): string {
    return join(this.config.stateDir, 'run', `${component.name}.pid`);
  }

  /** The running process of a component this project started (pid and start time), if any. */
  runningProcess(name: string): ProcessRecord | undefined {
    const component = this.ordered.find((c) => c.name === name);
    const record = component === undefined ? undefined : readProcessRecord(this.pidFile(component));
    return isRecordedProcessAlive(record) ? record : undefined;
  }

  /** Brings up the named components (and what they depend on), or all of them. */
  async up(names?: readonly string[]): Promise<Map<string, UpOutcome>> {
    return withOperationLock(this.lockFile, OPERATION_LOCK_WAIT_S, () => this.upUnlocked(names));
  }

  private get lockFile(): string {
    return join(this.config.stateDir, 'run', 'supervisor.lock');
  }

  private async upUnlocked(names?: readonly string[]): Promise<Map<string, UpOutcome>> {
    const wanted = this.withDependencies(names);
    const outcomes = new Map<string, UpOutcome>();
    for (const component of this.ordered.filter((c) => wanted.has(c.name))) {
      outcomes.set(component.name, await this.upOne(component));
    }
    return outcomes;
  }

  /** The named components and everything they depend on (all components when none is named). */
  withDependencies(names?: readonly string[]): Set<string> {
    if (names === undefined || names.length === 0) return new Set(this.ordered.map((c) => c.name));
    const result = new Set<string>();
    const add = (name: string): void => {
      const component = this.ordered.find((c) => c.name === name);
      if (component === undefined) {
        throw new Error(`unknown component "${name}"; known: ${this.ordered.map((c) => c.name).join(', ')}`);
      }
      result.add(name);
      component.dependsOn.forEach(add);
    };
    names.forEach(add);
    return result;
  }

  private async upOne(component: Component): Promise<UpOutcome> {
    const ctx = this.context(component);
    const pidFile = this.pidFile(component);
    const record = readProcessRecord(pidFile);
    if (isRecordedProcessAlive(record)) {
      // Ours and running: reuse it once it answers (it may still be starting from an earlier `up`).
      // One probe when it serves; its set-up again only if what the set-up depends on changed.
      await this.waitUntilReady(component, ctx, record);
      if (record.setUp !== this.setupKeyOf(component, ctx)) await this.runAfterStart(component, ctx, pidFile, record);
      this.log(`${component.name}: already running (pid ${record.pid}), reused`);
      return 'reused';
    }
    if (record !== undefined) await this.reapOrphans(component, record);
    removeProcessRecord(pidFile);
    mkdirSync(ctx.componentDir, { recursive: true });
    mkdirSync(ctx.dataDir, { recursive: true });

    try {
      await component.install(ctx);
      await component.prepare?.(ctx);
    } catch (error) {
      throw new ComponentError(component.name, `install/prepare failed: ${(error as Error).message}`, ctx.logFile);
    }
    await this.assertPortsFree(component, ctx);

    const spec = component.command(ctx);
    mkdirSync(join(this.config.stateDir, 'logs'), { recursive: true });
    const logFd = openSync(ctx.logFile, 'a');
    const startedAt = Date.now();
    let child;
    try {
      child = spawn(spec.command, [...spec.args], {
        cwd: spec.cwd ?? ctx.componentDir,
        env: { ...process.env, ...spec.env },
        // Own process group, so a stop reaches wrappers' children and the CLI's exit leaves it running.
        detached: true,
        stdio: ['ignore', logFd, logFd],
        uid: spec.user?.uid,
        gid: spec.user?.gid,
      });
    } finally {
      closeSync(logFd);
    }
    const pid = await new Promise<number>((resolvePromise, reject) => {
      child.once('error', (error) => reject(new ComponentError(component.name, `cannot start ${spec.command}: ${error.message}`, ctx.logFile)));
      child.once('spawn', () => resolvePromise(child.pid ?? -1));
    });
    child.unref();
    const started = writeProcessRecord(pidFile, pid);
    this.log(`${component.name}: started pid ${pid}, waiting until it serves`);
    await this.waitUntilReady(component, ctx, started);
    this.log(`${component.name}: ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    await this.runAfterStart(component, ctx, pidFile, started);
    return 'started';
  }

  /** After a crash or `kill -9`, children of the dead process may still hold its ports. */
  private async reapOrphans(component: Component, record: ProcessRecord): Promise<void> {
    const orphans = orphansOfGroup(record);
    if (orphans.length > 0) {
      this.log(`${component.name}: previous pid ${record.pid} is gone; stopping its leftover children ${orphans.join(', ')}`);
      this.signalGroup(record.pid, 'SIGKILL');
    }
    // Wait until even zombies are reaped: PostgreSQL's lock-file check sees a zombie as alive.
    const deadline = Date.now() + component.stopTimeout_s * 1000;
    while (orphansOfGroup(record, true).length > 0 && Date.now() < deadline) await sleep(50);
  }

  private setupKeyOf(component: Component, ctx: ComponentContext): string {
    return component.setupKey?.(ctx) ?? '';
  }

  /** The component's set-up; once it succeeded, the pid file says so (with the inputs it had). */
  private async runAfterStart(component: Component, ctx: ComponentContext, pidFile: string, record: ProcessRecord): Promise<void> {
    const setupKey = this.setupKeyOf(component, ctx);
    try {
      await component.afterStart?.(ctx);
    } catch (error) {
      throw new ComponentError(component.name, `post-start set-up failed: ${(error as Error).message}`, ctx.logFile);
    }
    recordSetUp(pidFile, record, setupKey);
  }

  private async assertPortsFree(component: Component, ctx: ComponentContext): Promise<void> {
    for (const { name, port } of component.ports(ctx)) {
      if (!(await isPortInUse(port))) continue;
      const owner = findPortOwner(port);
      const who = owner === undefined ? 'an unknown process' : `pid ${owner.pid ?? '?'} (${owner.commandLine})`;
      throw new ComponentError(
        component.name,
        `port ${port} (${name}) is already taken by ${who}, which this project did not start. ` +
          `Stop that process or choose another port (see README, "What ./platform up starts, and its ports").`,
        ctx.logFile,
      );
    }
  }

  private async waitUntilReady(component: Component, ctx: ComponentContext, record: ProcessRecord): Promise<void> {
    const deadline = Date.now() + component.readinessTimeout_s * 1000;
    let last: ProbeResult = { ready: false, reason: 'not probed yet' };
    while (Date.now() < deadline) {
      if (!isStillRunning(record)) {
        removeProcessRecord(this.pidFile(component));
        throw new ComponentError(
          component.name,
          `process ${record.pid} exited before it was ready. Last log lines:\n${tailOfFile(ctx.logFile)}`,
          ctx.logFile,
        );
      }
      last = await component.probe(ctx);
      if (last.ready) return;
      await sleep(PROBE_INTERVAL_MS);
    }
    throw new ComponentError(
      component.name,
      `not ready after ${component.readinessTimeout_s} s (last check: ${last.ready ? 'ready' : last.reason}); ` +
        `it is still running as pid ${record.pid}: inspect the log, then \`platform down\``,
      ctx.logFile,
    );
  }

  /** Stops what the project started, in reverse dependency order. */
  async down(names?: readonly string[]): Promise<void> {
    return withOperationLock(this.lockFile, OPERATION_LOCK_WAIT_S, () => this.downUnlocked(names));
  }

  private async downUnlocked(names?: readonly string[]): Promise<void> {
    const wanted = names === undefined || names.length === 0 ? undefined : new Set(names);
    for (const component of [...this.ordered].reverse()) {
      if (wanted !== undefined && !wanted.has(component.name)) continue;
      await this.stopOne(component);
    }
  }

  private async stopOne(component: Component): Promise<void> {
    const pidFile = this.pidFile(component);
    const record = readProcessRecord(pidFile);
    if (!isRecordedProcessAlive(record)) {
      removeProcessRecord(pidFile);
      this.log(`${component.name}: not running`);
      return;
    }
    const signal = component.stopSignal ?? 'SIGTERM';
    this.signalGroup(record.pid, signal);
    const deadline = Date.now() + component.stopTimeout_s * 1000;
    while (Date.now() < deadline && isStillRunning(record)) await sleep(100);
    if (isStillRunning(record)) {
      this.log(`${component.name}: did not stop within ${component.stopTimeout_s} s after ${signal}; sending SIGKILL`);
      this.signalGroup(record.pid, 'SIGKILL');
      while (isStillRunning(record)) await sleep(50);
    }
    removeProcessRecord(pidFile);
    this.log(`${component.name}: stopped (pid ${record.pid})`);
  }

  private signalGroup(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(-pid, signal); // the process group the supervisor created with `detached`
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  }

  async status(): Promise<ComponentStatus[]> {
    const result: ComponentStatus[] = [];
    for (const component of this.ordered) {
      const ctx = this.context(component);
      const record = readProcessRecord(this.pidFile(component));
      const alive = isRecordedProcessAlive(record);
      const probe: ProbeResult = alive ? await component.probe(ctx) : { ready: false, reason: 'no process started by this project' };
      result.push({
        name: component.name,
        version: component.version(ctx),
        state: alive ? (probe.ready ? 'up' : 'starting-or-unhealthy') : 'down',
        pid: alive ? record.pid : undefined,
        ports: component.ports(ctx),
        logFile: ctx.logFile,
        detail: probe.ready ? 'serving' : probe.reason,
      });
    }
    return result;
  }

  /** Deletes every component's data (not its installed artifacts). Components must be down. */
  async reset(): Promise<void> {
    return withOperationLock(this.lockFile, OPERATION_LOCK_WAIT_S, () => this.resetUnlocked());
  }

  private async resetUnlocked(): Promise<void> {
    await this.downUnlocked();
    for (const component of this.ordered) {
      const ctx = this.context(component);
      rmSync(ctx.dataDir, { recursive: true, force: true });
      this.log(`${component.name}: deleted ${ctx.dataDir}`);
    }
    rmSync(join(this.config.stateDir, 'secrets'), { recursive: true, force: true });
  }
}
