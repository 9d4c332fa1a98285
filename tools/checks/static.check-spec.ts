import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const bin = (tool: string): string => join(root, 'node_modules', '.bin', tool);
const CHECK_TIMEOUT_MS = 300_000;

/** Runs a tool; on failure the test fails with the tool's own output. */
async function expectToolPasses(tool: string, args: readonly string[]): Promise<void> {
  try {
    await run(bin(tool), [...args], { cwd: root, timeout: CHECK_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${tool} ${args.join(' ')} failed:\n${failure.stdout ?? ''}${failure.stderr ?? failure.message}`);
  }
}

describe('static checks', () => {
  beforeAll(async () => {
    // The module-boundary rule reads Nx's cached project graph; compute it first.
    await expectToolPasses('nx', ['show', 'projects']);
  }, CHECK_TIMEOUT_MS);

  it('type-checks the whole workspace in strict mode', async () => {
    await expectToolPasses('tsc', ['-p', 'tsconfig.json', '--noEmit']);
  }, CHECK_TIMEOUT_MS);

  it('lints every file without warnings, module boundaries included', async () => {
    await expectToolPasses('eslint', ['.', '--max-warnings=0']);
  }, CHECK_TIMEOUT_MS);

  it('refuses an import that crosses a boundary (the rule is live, not silently skipped)', async () => {
    // A real file is needed: type-aware linting only sees files on disk. Domain code must not
    // import infrastructure, so this probe must fail the rule.
    const probe = join(root, 'libs/money/src/__boundary-probe__.ts');
    writeFileSync(probe, "import { allComponents } from '@txn/infra-local';\nexport const probe = allComponents;\n");
    try {
      const output = await run(bin('eslint'), [probe, '--format', 'json'], { cwd: root, timeout: CHECK_TIMEOUT_MS }).then(
        (ok) => ok.stdout,
        (failed: { stdout?: string }) => failed.stdout ?? '[]',
      );
      const [result] = JSON.parse(output) as { messages: { ruleId: string | null; message: string }[] }[];
      const boundaryErrors = (result?.messages ?? []).filter((m) => m.ruleId === '@nx/enforce-module-boundaries');
      expect(boundaryErrors.map((m) => m.message)).toEqual([
        'A project tagged with "type:domain" can only depend on libs tagged with "type:domain"',
      ]);
    } finally {
      rmSync(probe, { force: true });
    }
  }, CHECK_TIMEOUT_MS);
});
