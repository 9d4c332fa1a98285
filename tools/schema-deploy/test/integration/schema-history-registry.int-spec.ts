import { EVENT_TYPES } from '@txn/contracts';
import { findRootDir } from '@txn/infra-local';
import { createSuiteScope, testEnvironment, type SuiteScope } from '@txn/testing';
import { checkCompatibility, historicalVersions, registerSchemas, type SchemaCatalogue } from '../../src';

// The registry's own verdict on the schemas as they are now: every subject's earlier versions
// from git history are registered oldest first under a scratch prefix (with BACKWARD_TRANSITIVE,
// as in production), then the registry's compatibility endpoint judges the current catalogue.
// The offline twin of this check (avsc, FULL_TRANSITIVE) is tools/checks/contracts.check-spec.ts.

const REQUEST_TIMEOUT_MS = 5_000;
const catalogue = EVENT_TYPES as unknown as SchemaCatalogue;

describe('schema compatibility against the real registry, over the whole git history', () => {
  let scope: SuiteScope;
  let prefix: string;
  const subjects: string[] = [];

  beforeAll(async () => {
    scope = await createSuiteScope('schema-history');
    prefix = `test.${scope.id}.`;
  });

  afterAll(async () => {
    const baseUrl = testEnvironment().schemaRegistry.url;
    for (const subject of subjects) {
      for (const suffix of ['', '?permanent=true']) {
        await fetch(`${baseUrl}/subjects/${encodeURIComponent(subject)}${suffix}`, { method: 'DELETE', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }).catch(() => undefined);
      }
    }
    await scope?.dispose();
  });

  it('accepts every current schema after all of its earlier versions, as the registry judges it', async () => {
    const url = testEnvironment().schemaRegistry.url;
    const history = historicalVersions(findRootDir(__dirname));
    // Replay history one version at a time: version n of every subject, then n + 1, …
    const depth = Math.max(0, ...[...history.values()].map((versions) => versions.length));
    for (let version = 0; version < depth; version += 1) {
      const step: Record<string, { subject: string; schema: object }> = {};
      for (const [subject, versions] of history) {
        const entry = versions[version];
        if (entry !== undefined) step[entry.eventType] = { subject, schema: entry.schema };
      }
      await registerSchemas(url, step, { subjectPrefix: prefix });
    }
    subjects.push(...Object.values(catalogue).map((entry) => `${prefix}${entry.subject}`));

    const reports = await checkCompatibility(url, catalogue, { subjectPrefix: prefix });
    expect(reports.filter((report) => !report.compatible)).toEqual([]);
    // Every current subject was judged against a history that is really there (a git checkout).
    expect(reports).toHaveLength(Object.keys(catalogue).length);
    expect(history.size).toBeGreaterThan(0);
  });
});
