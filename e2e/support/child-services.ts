import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { serviceNodeArgs } from '@txn/infra-local';
import { waitFor, type LogLine } from '@txn/testing';
import type { Pool } from 'pg';

// Services as child processes, each started the way the platform starts it
// (`node --import tsx services/<svc>/src/main.ts`, settings from the environment only) in its own
// process group, so that a test can SIGKILL one mid-saga and start it again. A child is an
// instance, named by the test (`payment`, or `payment-2` when a service runs twice in one group).

export const SERVICES = ['booking', 'payment', 'ledger'] as const;
export type ServiceName = (typeof SERVICES)[number];
/** The saga's three, and the others a suite may run as children (the trace suite runs them all). */
export type ChildServiceName = ServiceName | 'api-gateway' | 'audit' | 'notification';

/**
 * tsx compiling, migrations, then the group join: a member killed with -9 keeps its partitions
 * until its session (30 s, libs/messaging) times out, and the new member's join waits for that.
 */
export const SERVICE_READY_TIMEOUT_MS = 90_000;
const READY_POLL_INTERVAL_MS = 200;
const READY_PROBE_TIMEOUT_MS = 2_000;
/** SIGKILL is not refused; the kernel reaps the group at once. */
const EXIT_TIMEOUT_MS = 10_000;
/** Output kept per service (every run): far above what a test's sagas write. */
const MAX_LOG_LINES = 200_000;
const MAX_STDERR_LINES = 1_000;

const ROOT_DIR = resolve(__dirname, '..', '..');

/** One start of a service: its pid (also its process group) and where its output begins in `logs`. */
export interface ServiceRun {
  readonly pid: number;
  readonly firstLogLine: number;
  readonly startedAt: Date;
  exit?: { readonly code: number | null; readonly signal: NodeJS.Signals | null };
}

export interface ServiceProcess {
  /** Which service it runs. */
  readonly name: ChildServiceName;
  /** Which instance of it: the name the test starts and kills it by. */
  readonly instance: string;
  /** A small pool on the service's own database: what a person would query, alive across restarts. */
  readonly pool: Pool;
  /** Every JSON line the service wrote on stdout, over all its runs, in order. */
  readonly logs: LogLine[];
  readonly stderr: string[];
  readonly runs: readonly ServiceRun[];
  running(): boolean;
}

/** Process groups of every child this module started and that has not exited yet. */
const liveGroups = new Set<number>();

/**
 * SIGKILL to every service process group still alive. `close()` does this in order; this is the
 * last resort for paths where the harness never got that far (a setup that timed out, the worker exiting).
 */
export function killServiceProcesses(): void {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
process.once('exit', killServiceProcesses);

/** Splits a stream into lines, keeping a partial last line for the next chunk. */
function onLines(stream: NodeJS.ReadableStream, each: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') each(line);
  });
  stream.on('end', () => {
    if (rest.trim() !== '') each(rest);
  });
}

function parseLogLine(line: string): LogLine {
  try {
    const parsed = JSON.parse(line) as unknown;
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { msg?: unknown }).msg === 'string') return parsed as LogLine;
  } catch {
    // Not JSON: kept as text below, so an assertion on the logs can see it.
  }
  return { msg: 'non-JSON output', line };
}

async function withinTimeout(promise: Promise<void>, timeout_ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeout_ms} ms waiting for ${what}`)), timeout_ms);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function readyAt(httpPort: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${httpPort}/health/ready`, { signal: AbortSignal.timeout(READY_PROBE_TIMEOUT_MS) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

interface ChildState {
  readonly service: ChildServiceName;
  readonly process: ServiceProcess & { readonly runs: ServiceRun[] };
  readonly env: Readonly<Record<string, string>>;
  /** The consumer group and topic prefix the child must report, or it is not isolated. */
  readonly expected: { readonly group: string; readonly topicPrefix: string };
  child?: ChildProcess;
  exited?: Promise<void>;
}

/** Each instance's process, started again with the same environment each time; killed with SIGKILL. */
export class ChildServices {
  private readonly children = new Map<string, ChildState>();

  /** `instance` names the child (default: the service's own name, for one instance of each). */
  add(service: ChildServiceName, pool: Pool, env: Readonly<Record<string, string>>, expected: ChildState['expected'], instance: string = service): void {
    if (this.children.has(instance)) throw new Error(`instance ${instance} was added already`);
    const runs: ServiceRun[] = [];
    const serviceProcess = { name: service, instance, pool, logs: [], stderr: [], runs, running: () => this.children.get(instance)?.child !== undefined };
    this.children.set(instance, { service, process: serviceProcess, env, expected });
  }

  processOf(instance: string): ServiceProcess {
    return this.state(instance).process;
  }

  instances(): string[] {
    return [...this.children.keys()];
  }

  /** SIGKILL to the instance's process group; resolves once it has exited. */
  async kill(instance: string): Promise<void> {
    const state = this.children.get(instance);
    const child = state?.child;
    if (state === undefined || child?.pid === undefined || state.exited === undefined) throw new Error(`${instance} is not running`);
    process.kill(-child.pid, 'SIGKILL');
    await withinTimeout(state.exited, EXIT_TIMEOUT_MS, `${instance} (pid ${child.pid}) to exit after SIGKILL`);
  }

  async stopAll(): Promise<void> {
    for (const [instance, state] of this.children) if (state.child !== undefined) await this.kill(instance).catch(() => undefined);
  }

  /** Starts the instance with its environment; resolves once it consumes on the expected group and topics and /health/ready answers 200. */
  async start(instance: string): Promise<void> {
    const state = this.state(instance);
    if (state.child !== undefined) throw new Error(`${instance} is already running (pid ${state.child.pid})`);
    const run = await this.spawn(instance, state);
    try {
      await this.waitUntilReady(instance, state, run);
    } catch (error) {
      await this.kill(instance).catch(() => undefined);
      throw error;
    }
  }

  private state(instance: string): ChildState {
    const state = this.children.get(instance);
    if (state === undefined) throw new Error(`unknown instance ${instance}`);
    return state;
  }

  /** As the services component starts it (tools/infra-local/src/components/services.ts); its own process group, so a SIGKILL reaches anything it started too. */
  private async spawn(instance: string, state: ChildState): Promise<ServiceRun> {
    const { logs, stderr } = state.process;
    const firstLogLine = logs.length;
    const child = spawn(process.execPath, serviceNodeArgs(ROOT_DIR, state.service), {
      cwd: ROOT_DIR,
      env: { ...process.env, ...state.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Listening before anything else: even a child that dies at once is seen to have exited.
    const closed = new Promise<NonNullable<ServiceRun['exit']>>((resolvePromise) => child.once('close', (code, signal) => resolvePromise({ code, signal })));
    await new Promise<void>((resolvePromise, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolvePromise());
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`${instance} started without a pid`);
    liveGroups.add(pid);
    const run: ServiceRun = { pid, firstLogLine, startedAt: new Date() };
    state.process.runs.push(run);
    state.child = child;
    state.exited = closed.then((exit) => {
      liveGroups.delete(pid);
      run.exit = exit;
      // Killed by us or dead by itself: either way it is not running any more.
      if (state.child === child) {
        state.child = undefined;
        state.exited = undefined;
      }
    });
    const { stdout, stderr: errors } = child;
    if (stdout === null || errors === null) throw new Error(`${instance} started without its output pipes`);
    onLines(stdout, (line) => void (logs.length < MAX_LOG_LINES && logs.push(parseLogLine(line))));
    onLines(errors, (line) => void (stderr.length < MAX_STDERR_LINES && stderr.push(line)));
    return run;
  }

  private async waitUntilReady(instance: string, state: ChildState, run: ServiceRun): Promise<void> {
    const { logs, stderr } = state.process;
    // The kit logs its health port once consuming (HTTP_PORT=0 picks a free one per run).
    const started = await waitFor(
      `${instance} (pid ${run.pid}) to log "service started"`,
      () => {
        if (run.exit !== undefined) throw new Error(`${instance} exited (${JSON.stringify(run.exit)}) before it was ready: ${stderr.slice(-5).join(' | ')}`);
        return logs.slice(run.firstLogLine).find((line) => line.msg === 'service started');
      },
      SERVICE_READY_TIMEOUT_MS,
      READY_POLL_INTERVAL_MS,
    );
    // Refuse to go on if the child is not isolated: it would consume another suite's (or the platform's) topics.
    const topics = started.topics as readonly string[];
    if (started.consumerGroup !== state.expected.group || !topics.every((topic) => topic.startsWith(state.expected.topicPrefix))) {
      throw new Error(`${instance} is not on the suite's group and topics: ${JSON.stringify({ consumerGroup: started.consumerGroup, topics })}`);
    }
    const httpPort = Number(started.httpPort);
    await waitFor(`${instance} /health/ready on port ${httpPort}`, async () => ((await readyAt(httpPort)) ? true : undefined), SERVICE_READY_TIMEOUT_MS, READY_POLL_INTERVAL_MS);
  }
}
