import { findRootDir } from '@txn/infra-local';
import { GENERATE_COMMAND, staleness, writeGenerated } from './files';

/**
 * node --import tsx tools/dashboards/src/main.ts [--check]   (npm run dashboards:generate)
 *   (no flag)  write deploy/grafana/dashboards/*.json, deploy/grafana/provisioning/*.yml and
 *              docs/operations/dashboards.md from the definitions; remove dashboards no longer defined
 *   --check    compare instead of writing; exit 1 naming each stale file
 */

function main(argv: readonly string[]): number {
  const rootDir = findRootDir(__dirname);
  if (argv.includes('--check')) {
    const { outdated, orphans } = staleness(rootDir);
    const stale = [...outdated.map((path) => `${path} (differs from what the definitions generate)`), ...orphans.map((path) => `${path} (no definition generates it)`)];
    if (stale.length === 0) {
      process.stdout.write('dashboards: generated files are up to date\n');
      return 0;
    }
    process.stderr.write(`dashboards: stale generated files:\n${stale.map((line) => `  ${line}`).join('\n')}\nrun: ${GENERATE_COMMAND}\n`);
    return 1;
  }
  const { generated, touched } = writeGenerated(rootDir);
  process.stdout.write(`dashboards: ${generated} files generated, ${touched.length} written or removed${touched.map((path) => `\n  ${path}`).join('')}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
