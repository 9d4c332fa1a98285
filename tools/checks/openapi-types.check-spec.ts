import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

// The gateway runs under `node --import tsx` (esbuild), which emits no decorator metadata, so
// @nestjs/swagger cannot infer a property's type there: a DTO property whose @ApiProperty names
// neither `type` nor `enum` builds under the test runner (swc emits the metadata) but not in the
// running gateway, which then answers 503 at /openapi.json (services/api-gateway/src/http/openapi.ts).

const root = join(__dirname, '..', '..');
const SOURCES = join(root, 'services', 'api-gateway', 'src');
const DECORATOR = /@ApiProperty(?:Optional)?\(/g;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** The decorator's argument text, up to its balanced closing parenthesis. */
function argumentsAt(text: string, open: number): string {
  let depth = 0;
  for (let index = open; index < text.length; index += 1) {
    if (text[index] === '(') depth += 1;
    if (text[index] === ')') depth -= 1;
    if (depth === 0) return text.slice(open + 1, index);
  }
  return text.slice(open + 1);
}

describe('OpenAPI property types', () => {
  it('every @ApiProperty / @ApiPropertyOptional in the gateway names its type (or enum): tsx emits no decorator metadata', () => {
    const missing: string[] = [];
    for (const file of sourceFiles(SOURCES)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(DECORATOR)) {
        const args = argumentsAt(text, (match.index ?? 0) + match[0].length - 1);
        if (!/\b(type|enum)\s*:/.test(args)) missing.push(`${relative(root, file)}:${text.slice(0, match.index).split('\n').length}`);
      }
    }
    if (missing.length > 0) throw new Error(`name the property's type (e.g. { type: String }, { type: () => Item }) at:\n  ${missing.join('\n  ')}`);
    expect(missing).toEqual([]);
  });
});
