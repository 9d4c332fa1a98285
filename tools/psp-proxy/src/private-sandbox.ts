import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { findRootDir, loadPlatformConfig } from '@txn/infra-local';

// A private copy of the platform's PSP sandbox for one test suite: the same launcher
// (deploy/local/psp-sandbox/serve.py, with every patch of this checkout) from the platform's venv,
// on a free port with its own empty state file, stopped (and its folder removed) by `stop`.
// The shared sandbox keeps running the launcher it was started with until the platform restarts
// it, so a suite that relies on a patch newer than that start (or on an empty store) starts its
// own. The shared sandbox is never cleared or stopped from here.

const HOST = '127.0.0.1';
/** An empty store answers in well under a second; the bound covers a busy machine. */
const READY_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 100;
const PROBE_TIMEOUT_MS = 2_000;
/** serve.py gives requests in flight 5 s on SIGTERM, then writes its state. */
const STOP_TIMEOUT_MS = 10_000;
const PROBE_API_KEY = 'sk_test_private_sandbox_probe';

export interface PrivateSandbox {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops the process this call started (by its handle) and removes its folder. Idempotent. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, HOST);
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/v1/customers?limit=1`, { headers: { authorization: `Bearer ${PROBE_API_KEY}` }, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    return response.status === 200;
  } catch {
    return false;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Starts a private, empty PSP sandbox and resolves once it answers an API call. */
export async function startPrivateSandbox(): Promise<PrivateSandbox> {
  const config = loadPlatformConfig(process.env, findRootDir(process.cwd()));
  const directory = mkdtempSync(join(config.stateDir, 'private-psp-sandbox-'));
  const port = await freePort();
  const url = `http://${HOST}:${port}`;
  const launcher = join(config.rootDir, 'deploy', 'local', 'psp-sandbox', 'serve.py');
  const python = join(config.stateDir, 'psp-sandbox', 'venv', 'bin', 'python');
  const log = createWriteStream(join(directory, 'sandbox.log'));
  // The platform component's command line (-I: only the venv's pinned packages) on another port and
  // state file; -B: importing serve.py leaves no __pycache__ in deploy/.
  const child = spawn(python, ['-I', '-B', '-u', launcher, '--host', HOST, '--port', String(port), '--state-file', join(directory, 'localstripe.pickle')], { cwd: directory, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= stopChild(child).finally(() => {
      log.end();
      rmSync(directory, { recursive: true, force: true });
    });
    return stopped;
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await answers(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`private PSP sandbox did not answer on ${url} within ${READY_TIMEOUT_MS} ms (exit code ${String(child.exitCode)}); its log was in ${directory}`);
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, READY_POLL_MS));
  }
  return { url, host: HOST, port, stop };
}
