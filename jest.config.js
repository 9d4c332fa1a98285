// Three Jest projects, one run (`./platform test`), one JSON report for CI:
//   checks       type-check, lint with module boundaries, generated code up to date
//   unit         *.spec.ts next to the code: pure, fast, no I/O
//   integration  *.int-spec.ts against the real PostgreSQL, Kafka, registry and PSP sandbox,
//                which the integration project's global setup brings up (or reuses)
//   containers   the end-to-end saga and one service suite again, on containers from the images
const swcTransform = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

// One source of truth for where each @txn/* package lives (libs/, services/, tools/): tsconfig's paths.
const { compilerOptions } = require('./tsconfig.base.json');
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([name, [target]]) => [`^${name.replace('/', '\\/')}$`, `<rootDir>/${target}`]),
);

const shared = {
  // jose (staff tokens) and canonicalize (the audit chain's RFC 8785 encoding) ship ECMAScript
  // modules only: transformed to CommonJS like our sources.
  transform: { '^.+\\.ts$': swcTransform, '/node_modules/(jose|canonicalize)/.+\\.js$': swcTransform },
  transformIgnorePatterns: ['/node_modules/(?!(jose|canonicalize)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testPathIgnorePatterns: ['/node_modules/', '/\\.platform/', '/dist/'],
  testEnvironment: 'node',
};

/** @type {import('jest').Config} */
module.exports = {
  maxWorkers: 2,
  // Integration suites wait on real brokers and databases; each test still bounds its own waits.
  testTimeout: 60_000,
  projects: [
    {
      ...shared,
      displayName: 'checks',
      testMatch: ['<rootDir>/tools/checks/**/*.check-spec.ts', '<rootDir>/tools/dashboards/test/*.check-spec.ts', '<rootDir>/tools/helm-chart/test/*.check-spec.ts'],
    },
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,services,tools}/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{libs,services,tools,e2e}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/tools/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/tools/testing/src/global-teardown.ts',
      slowTestThreshold: 30,
    },
    {
      // The same suites again, on infrastructure testcontainers starts from the platform's own
      // images (tools/testing/src/providers/testcontainers.ts): the container path, proven each run.
      ...shared,
      displayName: 'containers',
      testMatch: ['<rootDir>/e2e/saga.int-spec.ts', '<rootDir>/services/ledger/test/integration/ledger-service.int-spec.ts'],
      setupFiles: ['<rootDir>/tools/testing/src/use-containers.ts'],
      globalSetup: '<rootDir>/tools/testing/src/containers-global-setup.ts',
      globalTeardown: '<rootDir>/tools/testing/src/containers-global-teardown.ts',
      slowTestThreshold: 30,
    },
  ],
};
