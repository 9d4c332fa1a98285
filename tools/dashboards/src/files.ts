import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadPlatformConfig, prometheusUrl } from '@txn/infra-local';
import { DASHBOARDS_DIR, generatedFiles, type GeneratedFile } from './render';

/** The command that regenerates everything; named wherever a stale file is reported. */
export const GENERATE_COMMAND = 'npm run dashboards:generate';

/**
 * The Prometheus the committed files point at: the port of deploy/local/platform.json, not this
 * shell's PLATFORM_PROMETHEUS_PORT, so that what is generated does not depend on who runs it.
 */
export function committedPrometheusUrl(rootDir: string): string {
  return prometheusUrl(loadPlatformConfig({}, rootDir));
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Dashboards' JSON on disk that no definition generates any more (a dashboard removed or renamed). */
function orphanDashboards(rootDir: string, files: readonly GeneratedFile[]): string[] {
  let names: string[];
  try {
    names = readdirSync(join(rootDir, DASHBOARDS_DIR));
  } catch {
    return [];
  }
  const generated = new Set(files.map((file) => file.path));
  return names.filter((name) => name.endsWith('.json')).map((name) => `${DASHBOARDS_DIR}/${name}`).filter((path) => !generated.has(path));
}

export interface Staleness {
  /** Generated files missing on disk or different from it. */
  readonly outdated: readonly string[];
  /** Files on disk that nothing generates. */
  readonly orphans: readonly string[];
}

export function staleness(rootDir: string, files: readonly GeneratedFile[] = generatedFiles(committedPrometheusUrl(rootDir))): Staleness {
  return {
    outdated: files.filter((file) => readOrUndefined(join(rootDir, file.path)) !== file.content).map((file) => file.path),
    orphans: orphanDashboards(rootDir, files),
  };
}

/** Writes what changed and removes orphans; returns how many files are generated and the paths touched. */
export function writeGenerated(rootDir: string): { readonly generated: number; readonly touched: readonly string[] } {
  const files = generatedFiles(committedPrometheusUrl(rootDir));
  const { outdated, orphans } = staleness(rootDir, files);
  for (const file of files.filter((candidate) => outdated.includes(candidate.path))) {
    mkdirSync(dirname(join(rootDir, file.path)), { recursive: true });
    writeFileSync(join(rootDir, file.path), file.content);
  }
  for (const path of orphans) rmSync(join(rootDir, path));
  return { generated: files.length, touched: [...outdated, ...orphans] };
}
