import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { PlatformConfig } from './config';

/**
 * podman as this machine needs it, for everything that drives containers (`./platform images`,
 * the compose file, the testcontainers provider): the project's containers.conf and podman's
 * Docker-compatible API on a socket of the project's own (STACK-NOTES: Debian's podman 4.3 + runc).
 */

const SOCKET_WAIT_MS = 20_000;
const PING_TIMEOUT_MS = 2_000;

/** podman with the project's containers.conf (two settings this machine needs) and the given environment. */
export function podmanEnv(config: PlatformConfig): NodeJS.ProcessEnv {
  const dir = join(config.stateDir, 'images');
  const file = join(dir, 'containers.conf');
  mkdirSync(dir, { recursive: true });
  // default_ulimits: root here may not raise rlimits (the default asks for more); runc: crun refuses this machine's hybrid cgroups.
  writeFileSync(file, '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n');
  return { ...process.env, CONTAINERS_CONF: file };
}

export function podmanSocketPath(config: PlatformConfig): string {
  return join(config.stateDir, 'images', 'podman.sock');
}

/** Whether the Docker API answers `_ping` on the socket. */
function socketAnswers(path: string): Promise<boolean> {
  if (!existsSync(path)) return Promise.resolve(false);
  return new Promise((resolvePromise) => {
    const ping = request({ socketPath: path, path: '/_ping', timeout: PING_TIMEOUT_MS }, (response) => {
      response.resume();
      resolvePromise(response.statusCode === 200);
    });
    ping.on('timeout', () => ping.destroy());
    ping.on('error', () => resolvePromise(false));
    ping.end();
  });
}

/** podman's Docker API on the project's socket: started (detached, pid file) unless it already answers. */
export async function ensurePodmanSocket(config: PlatformConfig): Promise<string> {
  const path = podmanSocketPath(config);
  if (await socketAnswers(path)) return path;
  rmSync(path, { force: true });
  const child = spawn('podman', ['system', 'service', '--time=0', `unix://${path}`], { env: podmanEnv(config), detached: true, stdio: 'ignore' });
  child.unref();
  writeFileSync(`${path}.pid`, `${child.pid ?? ''}\n`);
  const deadline_ms = Date.now() + SOCKET_WAIT_MS;
  while (!(await socketAnswers(path))) {
    if (Date.now() > deadline_ms) throw new Error(`podman system service did not answer on ${path} within ${SOCKET_WAIT_MS} ms`);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 200));
  }
  return path;
}

/** Stops the socket service this project started (by its pid file). */
export function stopPodmanSocket(config: PlatformConfig): void {
  const pidFile = `${podmanSocketPath(config)}.pid`;
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 0) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  rmSync(pidFile, { force: true });
}
