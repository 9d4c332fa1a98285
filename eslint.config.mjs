// Lint rules, including the architecture: @nx/enforce-module-boundaries reads each project's
// tags (the "nx.tags" field of its package.json) and refuses imports that cross the lines below.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/**
 * Which projects may import which, by the tags in each package.json's "nx.tags".
 * - scope: libs are what services run on; tools (local infrastructure, PSP proxy, schema deploy,
 *   test harness, generators, CLI) run only here; e2e and bench drive the whole platform.
 *   A lib never imports a service or a tool, a service never imports another service; tests of
 *   libs and services may use the test harness tools.
 * - type: domain code is pure (other domain libs only), infrastructure may use the domain.
 */
function boundaries({ testCode }) {
  const harness = testCode ? ['scope:tool'] : [];
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      { sourceTag: 'scope:lib', onlyDependOnLibsWithTags: ['scope:lib', ...harness] },
      { sourceTag: '/^scope:service-/', onlyDependOnLibsWithTags: ['scope:lib', ...harness] },
      { sourceTag: 'scope:tool', onlyDependOnLibsWithTags: ['scope:lib', 'scope:tool'] },
      // Services only through their public entry points (the deep-import rule below).
      { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:lib', 'scope:tool', '/^scope:service-/'] },
      // The benchmarks drive the platform through e2e's in-process harness.
      { sourceTag: 'scope:bench', onlyDependOnLibsWithTags: ['scope:lib', 'scope:tool', '/^scope:service-/', 'scope:e2e'] },
      { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'] },
      { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:domain', 'type:infra'] },
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:infra', 'type:app'] },
    ],
  };
}

const TEST_FILES = ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.check-spec.ts', '**/test/**/*.ts'];

// A package's public surface is its index.ts: no deep imports into another package.
const NO_DEEP_IMPORTS = { group: ['@txn/*/*'], message: 'import the package itself (its index.ts), not a file inside it' };

/** A relative import of a sibling layer folder of a service's src/ (`../persistence/x`, `../../messaging`). */
function relativeInto(...layers) {
  return `^\\.{1,2}/(\\.\\./)*(${layers.join('|')})(/|$)`;
}

/**
 * The layers inside a service (docs/service-template.md): application decides through its ports
 * and never reaches for messaging, http or persistence; persistence only stores, so it may use
 * domain and port types but no domain function and no use case; messaging adapts messages to use
 * cases and never touches the database itself. The module file wires them together.
 */
const SERVICE_LAYERS = [
  {
    files: ['services/*/src/application/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_DEEP_IMPORTS,
            { regex: relativeInto('messaging', 'http', 'persistence', 'psp'), message: 'application depends on its ports (application/ports.ts), never on messaging, http or an adapter' },
          ],
        },
      ],
    },
  },
  {
    files: ['services/*/src/persistence/**/*.ts', 'services/*/src/psp/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['@txn/domain-kernel', '@txn/booking-domain', '@txn/payment-domain', '@txn/ledger-domain'].map((name) => ({
            name,
            allowTypeImports: true,
            message: 'persistence only stores: it may use domain types, never a domain rule (decide in application/)',
          })),
          patterns: [
            NO_DEEP_IMPORTS,
            { regex: relativeInto('application'), allowTypeImports: true, message: 'an adapter implements the ports of application/: types only, never a use case' },
            { regex: relativeInto('messaging', 'http'), message: 'an adapter never depends on messaging or http' },
          ],
        },
      ],
    },
  },
  {
    files: ['services/*/src/messaging/**/*.ts', 'services/*/src/http/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [NO_DEEP_IMPORTS, { regex: relativeInto('persistence', 'psp'), message: 'inbound adapters call use cases; only the module wires the outbound adapters in' }] },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.platform/**', '**/dist/**', 'coverage/**', '.nx/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries({ testCode: false })],
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [NO_DEEP_IMPORTS] }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  ...SERVICE_LAYERS,
  {
    files: TEST_FILES,
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries({ testCode: true })] },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
