import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One podman call: a kube play pulls nothing (local images) and starts in seconds; the bound is for a busy machine. */
const PODMAN_TIMEOUT_MS = 180_000;
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
/** A health check command inside a container: the images' own HEALTHCHECK timeouts are 3 s. */
const HEALTH_TIMEOUT_MS = 15_000;

export interface Podman {
  (args: readonly string[], timeout_ms?: number): Promise<string>;
}

/**
 * podman with the two settings this machine needs (STACK-NOTES: root may not raise rlimits; crun
 * refuses the hybrid cgroups), in a containers.conf of our own, named by CONTAINERS_CONF: the
 * system's files stay as they are.
 */
export function podmanFor(rootDir: string): Podman {
  const dir = join(rootDir, '.platform', 'helm-tools');
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'containers.conf');
  writeFileSync(conf, '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n');
  return async (args, timeout_ms = PODMAN_TIMEOUT_MS) => {
    try {
      const { stdout } = await run('podman', args, { timeout: timeout_ms, maxBuffer: MAX_OUTPUT_BYTES, env: { ...process.env, CONTAINERS_CONF: conf } });
      return stdout;
    } catch (error) {
      const failed = error as Error & { stderr?: string; code?: number | string };
      throw new Error(`podman ${args.join(' ')} failed (${String(failed.code ?? '')}): ${(failed.stderr ?? failed.message).slice(-2_000)}`);
    }
  };
}

/** The image's own HEALTHCHECK command (`CMD …` form), which the test runs inside the container. */
export async function imageHealthcheck(podman: Podman, image: string): Promise<string[]> {
  const check = JSON.parse(await podman(['image', 'inspect', image, '--format', '{{json .Config.Healthcheck}}'])) as { Test?: string[] } | null;
  const [form, ...command] = check?.Test ?? [];
  if (form !== 'CMD' || command.length === 0) throw new Error(`${image} has no HEALTHCHECK CMD to tell when it is ready`);
  return command;
}

/** Whether the container's health check passes now. */
export async function healthy(podman: Podman, container: string, command: readonly string[]): Promise<boolean> {
  try {
    await podman(['exec', container, ...command], HEALTH_TIMEOUT_MS);
    return true;
  } catch {
    return false;
  }
}

/** The names podman lists for one kind of object (`ps -a`, `pod ps`, `volume ls`, `secret ls`, `network ls`). */
export async function names(podman: Podman, kind: 'container' | 'pod' | 'volume' | 'secret' | 'network'): Promise<string[]> {
  const listing: Record<typeof kind, string[]> = {
    container: ['ps', '-a', '--format', '{{.Names}}'],
    pod: ['pod', 'ps', '--format', '{{.Name}}'],
    volume: ['volume', 'ls', '--format', '{{.Name}}'],
    secret: ['secret', 'ls', '--format', '{{.Name}}'],
    network: ['network', 'ls', '--format', '{{.Name}}'],
  };
  return (await podman(listing[kind])).split('\n').map((line) => line.trim()).filter((line) => line !== '');
}
