import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildSchemaSet, readKnownTopics, readSchemaSources } from '@txn/schema-deploy';
import { GENERATED_DIR, GENERATE_COMMAND, generateContracts, staleFiles } from './generate';

/**
 * node --import tsx tools/contracts-codegen/src/main.ts [--check]
 *   (no flag)  validate schemas/avro and write libs/contracts/src/generated (stale files removed)
 *   --check    regenerate in memory and compare with the committed files; exit 1 naming each
 *              stale file and the command that fixes it
 */

const rootDir = resolve(__dirname, '..', '..', '..');

function filesOnDisk(dir: string, prefix = ''): Map<string, string> {
  const found = new Map<string, string>();
  let entries;
  try {
    entries = readdirSync(join(dir, prefix), { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) for (const [path, text] of filesOnDisk(dir, relative)) found.set(path, text);
    else found.set(relative, readFileSync(join(dir, relative), 'utf8'));
  }
  return found;
}

function main(argv: readonly string[]): number {
  const built = buildSchemaSet(readSchemaSources(rootDir), { knownTopics: readKnownTopics(rootDir) });
  if (!built.ok) {
    process.stderr.write(`contracts-codegen: schemas/avro is invalid:\n${built.problems.map((p) => `  ${p}`).join('\n')}\n`);
    return 1;
  }
  const expected = generateContracts(built.set);
  const outputDir = join(rootDir, GENERATED_DIR);
  const actual = filesOnDisk(outputDir);
  const stale = staleFiles(expected, actual);

  if (argv.includes('--check')) {
    if (stale.length === 0) {
      process.stdout.write(`contracts-codegen: ${expected.size} generated files are up to date (${built.set.events.length} events)\n`);
      return 0;
    }
    process.stderr.write(`contracts-codegen: generated contracts are stale:\n${stale.map((s) => `  ${s}`).join('\n')}\nrun: ${GENERATE_COMMAND}\n`);
    return 1;
  }

  for (const path of actual.keys()) if (!expected.has(path)) rmSync(join(outputDir, path));
  for (const [path, text] of expected) {
    if (actual.get(path) === text) continue;
    mkdirSync(dirname(join(outputDir, path)), { recursive: true });
    writeFileSync(join(outputDir, path), text);
  }
  process.stdout.write(`contracts-codegen: ${built.set.events.length} events, ${expected.size} files in ${GENERATED_DIR} (${stale.length} written or removed)\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
