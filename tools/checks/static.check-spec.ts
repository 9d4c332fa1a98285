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

  /**
   * Each rule is proved live by planting a file that breaks it (type-aware linting only sees files
   * on disk) and reading what ESLint says about it: a rule silently skipped would pass everything.
   */
  const probes: readonly { readonly rule: string; readonly path: string; readonly source: string; readonly ruleId: string; readonly message: string }[] = [
    {
      rule: 'domain code never imports infrastructure',
      path: 'libs/money/src/__boundary-probe__.ts',
      source: "import { INBOX_TABLE } from '@txn/messaging';\nexport const probe = INBOX_TABLE;\n",
      ruleId: '@nx/enforce-module-boundaries',
      message: 'A project tagged with "type:domain" can only depend on libs tagged with "type:domain"',
    },
    {
      rule: 'a library never imports a tool',
      path: 'libs/messaging/src/__boundary-probe__.ts',
      source: "import { waitFor } from '@txn/testing';\nexport const probe = waitFor;\n",
      ruleId: '@nx/enforce-module-boundaries',
      message: 'A project tagged with "scope:lib" can only depend on libs tagged with "scope:lib"',
    },
    {
      rule: 'end-to-end tests use a service only through its public entry point',
      path: 'e2e/__boundary-probe__.ts',
      source: "import { STRIPE_API_VERSION } from '@txn/payment/src/psp/stripe-psp';\nexport const probe = STRIPE_API_VERSION;\n",
      ruleId: '@typescript-eslint/no-restricted-imports',
      message: "'@txn/payment/src/psp/stripe-psp' import is restricted from being used by a pattern. import the package itself (its index.ts), not a file inside it",
    },
    {
      rule: 'inside a service, application never imports persistence (it works through its ports)',
      path: 'services/booking/src/application/__boundary-probe__.ts',
      source: "import { bookingStore } from '../persistence/booking-store';\nexport const probe = bookingStore;\n",
      ruleId: '@typescript-eslint/no-restricted-imports',
      message: "'../persistence/booking-store' import is restricted from being used by a pattern. application depends on its ports (application/ports.ts), never on messaging, http or an adapter",
    },
    {
      rule: 'inside a service, persistence never decides: domain types only, no domain rule',
      path: 'services/ledger/src/persistence/__boundary-probe__.ts',
      source: "import { admit, type Balances } from '@txn/ledger-domain';\nexport const probe = (b: Balances): unknown => admit;\n",
      ruleId: '@typescript-eslint/no-restricted-imports',
      message: "'@txn/ledger-domain' import is restricted from being used. persistence only stores: it may use domain types, never a domain rule (decide in application/)",
    },
    {
      rule: 'inside a service, an inbound adapter never touches persistence itself',
      path: 'services/payment/src/messaging/__boundary-probe__.ts',
      source: "import { paymentStore } from '../persistence/payment-store';\nexport const probe = paymentStore;\n",
      ruleId: '@typescript-eslint/no-restricted-imports',
      message: "'../persistence/payment-store' import is restricted from being used by a pattern. inbound adapters call use cases; only the module wires the outbound adapters in",
    },
    {
      rule: 'benchmarks never reach into a service by relative path',
      path: 'bench/__boundary-probe__.ts',
      source: "import { paymentService } from '../services/payment/src/service';\nexport const probe = paymentService;\n",
      ruleId: '@nx/enforce-module-boundaries',
      message: 'Projects cannot be imported by a relative or absolute path, and must begin with a npm scope',
    },
  ];

  /** What ESLint says about each planted probe: one run over all of them (each run costs seconds). */
  let probeMessages: Map<string, { ruleId: string | null; message: string }[]>;

  beforeAll(async () => {
    const files = probes.map((probe) => join(root, probe.path));
    probes.forEach((probe, index) => writeFileSync(files[index] ?? '', probe.source));
    try {
      const output = await run(bin('eslint'), [...files, '--format', 'json'], { cwd: root, timeout: CHECK_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }).then(
        (ok) => ok.stdout,
        (failed: { stdout?: string }) => failed.stdout ?? '[]',
      );
      const results = JSON.parse(output) as { filePath: string; messages: { ruleId: string | null; message: string }[] }[];
      probeMessages = new Map(results.map((result) => [result.filePath, result.messages]));
    } finally {
      for (const file of files) rmSync(file, { force: true });
    }
  }, CHECK_TIMEOUT_MS);

  it.each(probes)('refuses an import that breaks the rule: $rule', (probe) => {
    const found = (probeMessages.get(join(root, probe.path)) ?? []).filter((m) => m.ruleId === probe.ruleId);
    expect(found.map((m) => m.message)).toEqual([probe.message]);
  }, CHECK_TIMEOUT_MS);
});
