import { execFileSync } from 'node:child_process';
import { COMPATIBILITY_DIRECTIONS, compareVersions, type ReadDirection } from './offline-compatibility';
import { SCHEMA_ROOT, buildSchemaSet, type SchemaSet, type SchemaSource } from './schema-set';

/**
 * The offline history check: every subject's schema at every commit that touched schemas/avro,
 * compared with the current (working tree) schema. Versions are found per subject (topic +
 * record name), not per file, so a change to a shared type (Envelope, Money) is checked in every
 * event that embeds it, and moving a file does not lose its history.
 */

/** Bounds the git work per run; far above the project's history, named so a cut is visible. */
export const MAX_HISTORY_COMMITS = 500;
const GIT_TIMEOUT_MS = 30_000;
const GIT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export interface HistoryFailure {
  readonly subject: string;
  readonly commit: string;
  readonly path: string;
  readonly direction: ReadDirection;
  readonly reason: string;
}

export interface HistoryReport {
  /** False outside a git work tree (e.g. an exported source tarball): nothing to compare. */
  readonly gitAvailable: boolean;
  /** A shallow clone holds only part of the history; the check covers what exists. */
  readonly shallow: boolean;
  readonly commitsExamined: number;
  /** More than MAX_HISTORY_COMMITS commits: the oldest were not examined. */
  readonly truncated: boolean;
  /** Commits whose schemas do not build (e.g. mid-refactor); named, not fatal. */
  readonly commitsSkipped: readonly { readonly commit: string; readonly reason: string }[];
  /** Distinct earlier (subject, schema) versions compared with the current schema. */
  readonly versionsCompared: number;
  /** Subjects present in history but gone now (informational: old data may still be on the topic). */
  readonly removedSubjects: readonly string[];
  readonly failures: readonly HistoryFailure[];
}

function git(rootDir: string, args: readonly string[]): string {
  return execFileSync('git', ['-C', rootDir, ...args], {
    encoding: 'utf8',
    timeout: GIT_TIMEOUT_MS,
    maxBuffer: GIT_MAX_OUTPUT_BYTES,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function isGitWorkTree(rootDir: string): boolean {
  try {
    return git(rootDir, ['rev-parse', '--is-inside-work-tree']).trim() === 'true';
  } catch {
    return false;
  }
}

function sourcesAt(rootDir: string, commit: string): SchemaSource[] {
  const paths = git(rootDir, ['ls-tree', '-r', '--name-only', commit, '--', SCHEMA_ROOT])
    .split('\n')
    .filter((path) => path.endsWith('.avsc'));
  return paths.map((path) => ({ path, text: git(rootDir, ['show', `${commit}:${path}`]) }));
}

export function checkSchemaHistory(rootDir: string, current: SchemaSet, directions: readonly ReadDirection[] = COMPATIBILITY_DIRECTIONS.FULL): HistoryReport {
  if (!isGitWorkTree(rootDir)) {
    return { gitAvailable: false, shallow: false, commitsExamined: 0, truncated: false, commitsSkipped: [], versionsCompared: 0, removedSubjects: [], failures: [] };
  }
  const shallow = git(rootDir, ['rev-parse', '--is-shallow-repository']).trim() === 'true';
  // One more than the bound, to know whether the bound cut anything.
  const commits = git(rootDir, ['log', '--format=%H', `--max-count=${MAX_HISTORY_COMMITS + 1}`, '--', SCHEMA_ROOT])
    .split('\n')
    .filter((line) => line !== '');
  const examined = commits.slice(0, MAX_HISTORY_COMMITS);
  const currentBySubject = new Map(current.events.map((event) => [event.subject, event]));
  const compared = new Set<string>();
  const removed = new Set<string>();
  const commitsSkipped: { commit: string; reason: string }[] = [];
  const failures: HistoryFailure[] = [];

  for (const commit of examined) {
    const built = buildSchemaSet(sourcesAt(rootDir, commit));
    if (!built.ok) {
      commitsSkipped.push({ commit, reason: built.problems[0] ?? 'invalid schemas' });
      continue;
    }
    for (const earlier of built.set.events) {
      const now = currentBySubject.get(earlier.subject);
      if (now === undefined) {
        removed.add(earlier.subject);
        continue;
      }
      const key = `${earlier.subject}\n${JSON.stringify(earlier.schema)}`;
      if (compared.has(key)) continue;
      compared.add(key);
      for (const problem of compareVersions(earlier.schema, now.schema, directions)) {
        failures.push({ subject: earlier.subject, commit, path: earlier.path, ...problem });
      }
    }
  }
  return {
    gitAvailable: true,
    shallow,
    commitsExamined: examined.length,
    truncated: commits.length > MAX_HISTORY_COMMITS,
    commitsSkipped,
    versionsCompared: compared.size,
    removedSubjects: [...removed].sort(),
    failures,
  };
}

/**
 * Every distinct earlier version of each subject in git history, oldest first (the current
 * version is not included unless it was committed). The registry check replays these into a
 * scratch subject, then asks the registry whether the current schema may follow them.
 */
export function historicalVersions(rootDir: string): Map<string, { eventType: string; schema: object }[]> {
  const versions = new Map<string, { eventType: string; schema: object }[]>();
  if (!isGitWorkTree(rootDir)) return versions;
  const commits = git(rootDir, ['log', '--format=%H', `--max-count=${MAX_HISTORY_COMMITS}`, '--', SCHEMA_ROOT])
    .split('\n')
    .filter((line) => line !== '')
    .reverse();
  const seen = new Set<string>();
  for (const commit of commits) {
    const built = buildSchemaSet(sourcesAt(rootDir, commit));
    if (!built.ok) continue;
    for (const event of built.set.events) {
      const key = `${event.subject}\n${JSON.stringify(event.schema)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      versions.set(event.subject, [...(versions.get(event.subject) ?? []), { eventType: event.eventType, schema: event.schema }]);
    }
  }
  return versions;
}
