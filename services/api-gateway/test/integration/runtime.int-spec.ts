import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

// The gateway as ./platform up runs it (tsx + the decorator-metadata hook), not as Jest compiles
// it: validation must hold and the served document must be the committed one there too (decision
// 0026: under tsx alone neither was true).

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..', '..');
const TIMEOUT_MS = 90_000;

describe('api-gateway under the services runtime (tsx with decorator metadata)', () => {
  it('refuses an invalid body with 400 naming the fields, and serves exactly the committed openapi.json', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--import', join(ROOT, 'tools', 'decorator-metadata', 'register.cjs'), '--disable-warning=TimeoutNegativeWarning', join(__dirname, 'served-under-tsx.ts')], { cwd: ROOT, timeout: TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
    const line = stdout.trim().split('\n').at(-1) ?? '';
    const result = JSON.parse(line) as { document: string; invalidStatus: number; invalidBody: { type: string; errors: { pointer: string }[] } };
    expect(result.invalidStatus).toBe(400);
    expect(result.invalidBody.type).toBe('/problems/validation-failed');
    expect(result.invalidBody.errors.map((error) => error.pointer)).toEqual(expect.arrayContaining(['/unknown', '/price/amountMinor']));
    const served = `${JSON.stringify(JSON.parse(result.document), null, 2)}\n`;
    if (served !== readFileSync(join(ROOT, 'services', 'api-gateway', 'openapi.json'), 'utf8')) throw new Error('under tsx the gateway serves another document than services/api-gateway/openapi.json: a DTO or parameter whose type the runtime cannot see (name it), or a stale file (npm run openapi:write)');
  }, TIMEOUT_MS);
});
