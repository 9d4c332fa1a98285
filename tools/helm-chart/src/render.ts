import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, type Document } from 'yaml';

const run = promisify(execFile);

/** helm renders in well under a second here; a minute is a hung process. */
const HELM_TIMEOUT_MS = 60_000;
/** kubernetes-validate loads its schemas once per file: a few seconds for the whole chart. */
const VALIDATE_TIMEOUT_MS = 180_000;
const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;
/** The release name every check renders with. */
export const RELEASE = 'txn';

/** One rendered Kubernetes object, as far as the checks read it. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly spec?: Record<string, unknown>;
  readonly data?: Record<string, string>;
}

export function chartDir(rootDir: string): string {
  return join(rootDir, 'helm', 'txn-platform');
}

/** `helm template` with the given values files (relative to the chart) and `--set` pairs. */
export async function renderChart(helm: string, rootDir: string, valuesFiles: readonly string[], sets: readonly string[] = [], release = RELEASE): Promise<{ text: string; manifests: Manifest[] }> {
  const chart = chartDir(rootDir);
  const args = ['template', release, chart, '--namespace', 'txn', ...valuesFiles.flatMap((file) => ['--values', join(chart, file)]), ...sets.flatMap((pair) => ['--set', pair])];
  const { stdout } = await run(helm, args, { timeout: HELM_TIMEOUT_MS, maxBuffer: MAX_OUTPUT_BYTES });
  // An empty stream parses to no documents at all.
  const manifests = (parseAllDocuments(stdout) as Document.Parsed[])
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`helm template printed YAML that does not parse: ${document.errors[0]?.message ?? ''}`);
      return document.toJSON() as Manifest | null;
    })
    .filter((manifest): manifest is Manifest => manifest !== null);
  return { text: stdout, manifests };
}

export async function lintChart(helm: string, rootDir: string, valuesFiles: readonly string[]): Promise<string> {
  const chart = chartDir(rootDir);
  const { stdout } = await run(helm, ['lint', '--strict', chart, ...valuesFiles.flatMap((file) => ['--values', join(chart, file)])], { timeout: HELM_TIMEOUT_MS, maxBuffer: MAX_OUTPUT_BYTES });
  return stdout;
}

/**
 * Validates rendered manifests offline against Kubernetes' own JSON schemas (strict: an unknown
 * field is an error, as the API server's strict field validation would say). Resolves with the
 * tool's output; rejects, with that output, when any manifest is invalid.
 */
export async function validateManifests(kubernetesValidate: string, kubernetesVersion: string, file: string): Promise<string> {
  try {
    const { stdout, stderr } = await run(kubernetesValidate, ['--strict', '--kubernetes-version', kubernetesVersion, file], { timeout: VALIDATE_TIMEOUT_MS, maxBuffer: MAX_OUTPUT_BYTES });
    return `${stdout}${stderr}`;
  } catch (error) {
    const failed = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`kubernetes-validate (Kubernetes ${kubernetesVersion}) rejected ${file}:\n${failed.stdout ?? ''}${failed.stderr ?? ''}`);
  }
}
