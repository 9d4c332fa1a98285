import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PlatformConfig } from '@txn/infra-local';
import { freePort } from '@txn/testing';

// Which PSP sandbox the benchmark drives. The platform's own (`shared`) is used by every test
// suite at once and keeps every object ever made, so figures taken on it depend on what other
// suites did before (and everything the benchmark makes stays there). The benchmark therefore
// starts, by default, a private copy of the same launcher (deploy/local/psp-sandbox/serve.py) from
// the platform's venv, on a free port with its own state file, empty, and stops it afterwards. It
// never clears the shared sandbox: other suites may be using it.
//
//   private  the platform's launcher, private and empty (the default)
//   shared   the running platform sandbox, as it is

export const SANDBOX_KINDS = ['private', 'shared'] as const;
export type SandboxKind = (typeof SANDBOX_KINDS)[number];

export interface Sandbox {
  readonly kind: SandboxKind;
  readonly url: string;
  readonly port: number;
  /** Empties a private sandbox (DELETE /_config/data); refused for the shared one. */
  clear(): Promise<void>;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
/** An empty store answers in well under a second; the bound covers a busy machine. */
const READY_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 100;
const REQUEST_TIMEOUT_MS = 5_000;
/** serve.py gives requests in flight 5 s on SIGTERM, then writes its state. */
const STOP_TIMEOUT_MS = 10_000;
const PROBE_API_KEY = 'sk_test_bench_sandbox_probe';

async function ready(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/v1/customers?limit=1`, { headers: { authorization: `Bearer ${PROBE_API_KEY}` }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    return response.status === 200;
  } catch {
    return false;
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

export async function startSandbox(kind: SandboxKind, config: PlatformConfig): Promise<Sandbox> {
  if (kind === 'shared') {
    const url = `http://${HOST}:${config.pspSandbox.port}`;
    return {
      kind,
      url,
      port: config.pspSandbox.port,
      clear: () => Promise.reject(new Error('the shared sandbox is never cleared by the benchmark: other suites may be using it')),
      stop: () => Promise.resolve(),
    };
  }
  const directory = mkdtempSync(join(config.stateDir, 'bench-psp-sandbox-'));
  const port = await freePort();
  const url = `http://${HOST}:${port}`;
  const launcher = join(config.rootDir, 'deploy', 'local', 'psp-sandbox', 'serve.py');
  const python = join(config.stateDir, 'psp-sandbox', 'venv', 'bin', 'python');
  const log = createWriteStream(join(directory, 'sandbox.log'));
  // The platform component's own command line (-I: only the venv's pinned packages), another port
  // and state file; -B: importing serve.py leaves no __pycache__ in deploy/.
  const child = spawn(python, ['-I', '-B', '-u', launcher, '--host', HOST, '--port', String(port), '--state-file', join(directory, 'localstripe.pickle')], { cwd: directory, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const stop = async (): Promise<void> => {
    await stopProcess(child);
    log.end();
    rmSync(directory, { recursive: true, force: true });
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await ready(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`private PSP sandbox (${kind}) did not become ready on ${url} within ${READY_TIMEOUT_MS} ms (exit code ${String(child.exitCode)})`);
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, READY_POLL_MS));
  }
  return {
    kind,
    url,
    port,
    async clear() {
      const response = await fetch(`${url}/_config/data`, { method: 'DELETE', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`DELETE ${url}/_config/data answered ${response.status}`);
    },
    stop,
  };
}
