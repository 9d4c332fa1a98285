import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

interface Manifest {
  name: string;
  version?: string;
  workspaces?: string[];
}

function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest;
}

/** Every directory the root's workspace globs name that holds a package.json. */
function workspaceDirs(): string[] {
  const dirs: string[] = [];
  for (const pattern of manifest('.').workspaces ?? []) {
    if (!pattern.endsWith('/*')) {
      if (existsSync(join(root, pattern, 'package.json'))) dirs.push(pattern);
      continue;
    }
    const parent = pattern.slice(0, -2);
    for (const entry of readdirSync(join(root, parent), { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(join(root, parent, entry.name, 'package.json'))) dirs.push(`${parent}/${entry.name}`);
    }
  }
  return dirs.sort();
}

/**
 * `npm ci` on a clean checkout refuses a lock file that lacks a workspace; a machine whose
 * node_modules already exists never notices. This is the check that does.
 */
describe('package-lock.json is in step with the workspaces', () => {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { name?: string; version?: string; resolved?: string; link?: boolean }>;
  };

  it.each(workspaceDirs())('lists workspace %s under its name and version', (dir) => {
    const own = manifest(dir);
    expect(lock.packages[dir]).toMatchObject({ name: own.name, ...(own.version === undefined ? {} : { version: own.version }) });
    expect(lock.packages[`node_modules/${own.name}`]).toEqual({ resolved: dir, link: true });
  });
});
