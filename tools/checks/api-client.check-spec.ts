import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// The typed API client's generated types are what openapi-typescript makes of the committed
// OpenAPI document (services/api-gateway/openapi.json; that one is checked against the served
// document by the gateway's openapi integration test). Offline, no infrastructure.

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const GENERATE_TIMEOUT_MS = 60_000;

describe('api client', () => {
  it('libs/api-client/src/generated/api.ts is what the committed openapi.json generates (else: npm run api-client:generate)', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'api-client-'));
    try {
      const output = join(directory, 'api.ts');
      await run(process.execPath, [join(root, 'node_modules', 'openapi-typescript', 'bin', 'cli.js'), join(root, 'services', 'api-gateway', 'openapi.json'), '-o', output], { cwd: root, timeout: GENERATE_TIMEOUT_MS });
      const committed = readFileSync(join(root, 'libs', 'api-client', 'src', 'generated', 'api.ts'), 'utf8');
      if (readFileSync(output, 'utf8') !== committed) throw new Error('libs/api-client/src/generated/api.ts is stale: run `npm run api-client:generate` and commit it');
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }, GENERATE_TIMEOUT_MS);
});
