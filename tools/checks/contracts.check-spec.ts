import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  COMPATIBILITY_DIRECTIONS,
  buildSchemaSet,
  checkSchemaHistory,
  compareVersions,
  describeDirection,
  readKnownTopics,
  readSchemaSources,
  type SchemaSet,
  type SchemaSource,
} from '@txn/schema-deploy';

// Contracts in the test command, no infrastructure needed:
// (a) the committed libs/contracts/src/generated matches what schemas/avro generates;
// (b) every schema is compatible with every earlier version in git history, offline, in both
//     read directions (FULL_TRANSITIVE; the registry's own check runs in `./platform schemas check`
//     and in tools/schema-deploy's integration test). Decision: docs/decisions/0006-avro-contracts.md.

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const CODEGEN_TIMEOUT_MS = 120_000;
const HISTORY_TIMEOUT_MS = 120_000;

function currentSchemaSet(sources: readonly SchemaSource[] = readSchemaSources(root)): SchemaSet {
  const result = buildSchemaSet(sources, { knownTopics: readKnownTopics(root) });
  if (!result.ok) throw new Error(`schemas/avro is invalid:\n${result.problems.map((p) => `  ${p}`).join('\n')}`);
  return result.set;
}

describe('contracts', () => {
  it('the committed generated contracts are what schemas/avro generates (else: npm run contracts:generate)', async () => {
    // The generator's own --check: it regenerates in memory and names every stale file.
    try {
      await run(process.execPath, ['--import', 'tsx', 'tools/contracts-codegen/src/main.ts', '--check'], { cwd: root, timeout: CODEGEN_TIMEOUT_MS });
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`${failure.stderr ?? ''}${failure.stdout ?? ''}` || failure.message);
    }
  }, CODEGEN_TIMEOUT_MS);

  it('every subject stays readable across all its versions in git history, both ways (FULL_TRANSITIVE, offline)', () => {
    const report = checkSchemaHistory(root, currentSchemaSet(), COMPATIBILITY_DIRECTIONS.FULL);
    const notes = [
      report.gitAvailable ? '' : 'not a git work tree: no history to compare with; only the current schemas were validated',
      report.shallow ? `shallow clone: only the ${report.commitsExamined} commits present were examined (git fetch --unshallow for all)` : '',
      report.truncated ? `history cut at the newest ${report.commitsExamined} commits (MAX_HISTORY_COMMITS)` : '',
      ...report.commitsSkipped.map((s) => `commit ${s.commit} skipped: its schemas do not build (${s.reason})`),
      ...report.removedSubjects.map((s) => `subject ${s} exists in history but no longer in schemas/avro`),
    ].filter((note) => note !== '');
    if (notes.length > 0) process.stderr.write(`[contracts] ${notes.join('\n[contracts] ')}\n`);

    const failures = report.failures.map((f) => `  ${f.subject} at commit ${f.commit} (${f.path}): ${describeDirection(f.direction)}: ${f.reason}`);
    if (failures.length > 0) {
      throw new Error(`schema changes break earlier versions (FULL_TRANSITIVE):\n${failures.join('\n')}\nadd defaults, or publish the change under a new topic version`);
    }
  }, HISTORY_TIMEOUT_MS);

  it('the offline check refuses incompatible changes of a real contract (in memory)', () => {
    const sources = readSchemaSources(root);
    const current = currentSchemaSet(sources);
    const path = 'schemas/avro/booking/BookingHeld.avsc';
    const evolve = (change: (schema: { fields: object[] }) => void): SchemaSet => {
      const changed = sources.map((source) => {
        if (source.path !== path) return source;
        const schema = JSON.parse(source.text) as { fields: object[] };
        change(schema);
        return { path, text: JSON.stringify(schema) };
      });
      return currentSchemaSet(changed);
    };
    const heldIn = (set: SchemaSet): object => {
      const found = set.events.find((event) => event.eventType === 'BookingHeld');
      if (found === undefined) throw new Error('BookingHeld missing');
      return found.schema;
    };

    const withoutDefault = evolve((s) => s.fields.push({ name: 'merchantNote', type: 'string' }));
    expect(compareVersions(heldIn(current), heldIn(withoutDefault)).map((p) => p.direction)).toEqual(['current-reads-earlier']);

    const typeChanged = evolve((s) => {
      s.fields = s.fields.map((f) => ((f as { name: string }).name === 'customerId' ? { name: 'customerId', type: 'long' } : f));
    });
    expect(compareVersions(heldIn(current), heldIn(typeChanged)).length).toBeGreaterThan(0);

    const withDefault = evolve((s) => s.fields.push({ name: 'merchantNote', type: ['null', 'string'], default: null }));
    expect(compareVersions(heldIn(current), heldIn(withDefault))).toEqual([]);
  });

  it('the history check reads earlier versions from git and names subject, commit and reason', () => {
    // A throw-away repository: v1 committed, an incompatible v2 in the working tree.
    const repo = mkdtempSync(join(tmpdir(), 'contracts-history-'));
    const git = (...args: string[]): string =>
      execFileSync('git', ['-C', repo, '-c', 'user.name=check', '-c', 'user.email=check@example.invalid', ...args], { encoding: 'utf8' });
    const write = (path: string, schema: object): void => {
      mkdirSync(join(repo, path, '..'), { recursive: true });
      writeFileSync(join(repo, path), JSON.stringify(schema));
    };
    const envelope = { type: 'record', name: 'Envelope', namespace: 'txn.common', fields: [{ name: 'eventId', type: 'string' }] };
    const v1 = { type: 'record', name: 'Tick', namespace: 'txn.demo', doc: 'A tick.', 'x-topic': 'demo.events.v1', fields: [{ name: 'envelope', type: 'txn.common.Envelope' }] };
    try {
      git('init', '--quiet');
      write('schemas/avro/common/Envelope.avsc', envelope);
      write('schemas/avro/demo/Tick.avsc', v1);
      git('add', '.');
      git('commit', '--quiet', '-m', 'v1');
      const v1Commit = git('rev-parse', 'HEAD').trim();
      write('schemas/avro/demo/Tick.avsc', { ...v1, fields: [...v1.fields, { name: 'count', type: 'long' }] });

      const sources = [
        { path: 'schemas/avro/common/Envelope.avsc', text: JSON.stringify(envelope) },
        { path: 'schemas/avro/demo/Tick.avsc', text: JSON.stringify({ ...v1, fields: [...v1.fields, { name: 'count', type: 'long' }] }) },
      ];
      const current = buildSchemaSet(sources);
      if (!current.ok) throw new Error(current.problems.join('\n'));
      const report = checkSchemaHistory(repo, current.set);
      expect(report).toMatchObject({ gitAvailable: true, shallow: false, commitsExamined: 1, versionsCompared: 1 });
      expect(report.failures).toEqual([
        { subject: 'demo.events.v1-txn.demo.Tick', commit: v1Commit, path: 'schemas/avro/demo/Tick.avsc', direction: 'current-reads-earlier', reason: expect.stringContaining('count') },
      ]);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
