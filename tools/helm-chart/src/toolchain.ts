import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The two programs the chart's checks run, installed by this code into the ignored state folder
 * (`.platform/helm-tools/`), never by hand, so a fresh machine and CI get the same ones:
 *
 * - helm, built with `go install` from the Go module proxy (no release binary can be downloaded
 *   here). v4: the package lists here mark v3.22.0 as not approved and prefer v4.
 * - kubernetes-validate from PyPI in a venv of its own: it carries Kubernetes' JSON schemas, so
 *   every rendered manifest is validated offline against a named Kubernetes version.
 */

const run = promisify(execFile);

export const HELM_MODULE = 'helm.sh/helm/v4/cmd/helm';
export const HELM_VERSION = 'v4.3.2';
/**
 * The Kubernetes versions manifests are validated against: the chart's floor (Chart.yaml's
 * kubeVersion) and the newest schema kubernetes-validate 1.37 ships.
 */
export const KUBERNETES_VERSIONS = ['1.25.0', '1.37.0'] as const;

/** Measured cold here: 4.5 CPU-minutes, 11 minutes on a busy 2-core machine. */
const GO_INSTALL_TIMEOUT_MS = 900_000;
const VENV_TIMEOUT_MS = 120_000;
const PIP_TIMEOUT_MS = 600_000;
const STAMP_FILE = 'installed.json';
/** helm and pip print little; a megabyte of output is a broken command, not a result. */
const MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

export interface ChartToolchain {
  readonly helm: string;
  /** `kubernetes-validate` inside its venv. */
  readonly kubernetesValidate: string;
}

function toolsDir(rootDir: string): string {
  return join(rootDir, '.platform', 'helm-tools');
}

function say(line: string): void {
  process.stderr.write(`[helm-tools] ${line}\n`);
}

/**
 * helm at HELM_VERSION, built once per checkout. Go's own module and build caches (the user's, as
 * for Jaeger) are kept: a clean clone on a machine that built it before only links (seconds, not the
 * 4.5 CPU-minutes of a cold build that CI paid on every checkout while the caches lived in here).
 */
export async function ensureHelm(rootDir: string): Promise<string> {
  const root = join(toolsDir(rootDir), `helm-${HELM_VERSION}`);
  const binary = join(root, 'bin', 'helm');
  if (existsSync(binary)) return binary;
  mkdirSync(root, { recursive: true });
  say(`building helm ${HELM_VERSION} with go install (Go module proxy) into ${root}`);
  await run('go', ['install', `${HELM_MODULE}@${HELM_VERSION}`], {
    timeout: GO_INSTALL_TIMEOUT_MS,
    maxBuffer: MAX_OUTPUT_BYTES,
    env: { ...process.env, GOBIN: join(root, 'bin'), GOFLAGS: '-modcacherw', CGO_ENABLED: '0' },
  });
  return binary;
}

/** kubernetes-validate from the pinned requirements; any edit to a pin reinstalls the venv. */
export async function ensureKubernetesValidate(rootDir: string): Promise<string> {
  const requirements = join(rootDir, 'tools', 'helm-chart', 'requirements.txt');
  const wanted = createHash('sha256').update(readFileSync(requirements)).digest('hex');
  const venv = join(toolsDir(rootDir), 'kubernetes-validate');
  const program = join(venv, 'bin', 'kubernetes-validate');
  const stamp = join(venv, STAMP_FILE);
  if (existsSync(program) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === wanted) return program;
  say(`installing kubernetes-validate into ${venv} (pinned: ${requirements})`);
  rmSync(venv, { recursive: true, force: true });
  await run('python3', ['-m', 'venv', venv], { timeout: VENV_TIMEOUT_MS });
  const pip = (args: readonly string[]): Promise<unknown> =>
    run(join(venv, 'bin', 'python'), ['-m', 'pip', ...args], { timeout: PIP_TIMEOUT_MS, maxBuffer: MAX_OUTPUT_BYTES, env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' } });
  // Every package is pinned, so pip resolves nothing and `pip check` proves the list complete.
  await pip(['install', '--no-deps', '-r', requirements]);
  await pip(['check']);
  writeFileSync(stamp, `${wanted}\n`);
  return program;
}

export async function ensureChartToolchain(rootDir: string): Promise<ChartToolchain> {
  return { helm: await ensureHelm(rootDir), kubernetesValidate: await ensureKubernetesValidate(rootDir) };
}
