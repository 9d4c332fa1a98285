import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { blobId, copiedFiles, copiedSources, ignoreRules, inputsDigest, type ContextFile, type ImageInputs } from './image-inputs';

const ROOT = join(__dirname, '../../../..');
const NODE_CONTAINERFILE = readFileSync(join(ROOT, 'deploy/images/node.Containerfile'), 'utf8');
const DOCKERIGNORE = readFileSync(join(ROOT, '.dockerignore'), 'utf8');

const file = (path: string, content = path): ContextFile => ({ path, mode: '100644', blob: blobId(Buffer.from(content)) });

const tree = [
  file('package.json'),
  file('package-lock.json'),
  file('services/booking/src/main.ts'),
  file('libs/money/src/index.ts'),
  file('deploy/images/postgres/entrypoint.sh'),
  file('docs/decisions/0041-container-images.md'),
  file('services/booking/node_modules/x/index.js'),
  file('libs/money/tsconfig.tsbuildinfo'),
];

function inputs(files: readonly ContextFile[], overrides: Partial<ImageInputs> = {}): ImageInputs {
  return { containerfile: { path: 'deploy/images/node.Containerfile', text: NODE_CONTAINERFILE }, buildArgs: { SERVICE: 'booking', VERSION: '0.1.0' }, buildFlags: ['--layers'], baseImageId: 'base-1', ignoreText: DOCKERIGNORE, contextFiles: files, ...overrides };
}

const replaced = (files: readonly ContextFile[], path: string, content: string): ContextFile[] => files.map((candidate) => (candidate.path === path ? file(path, content) : candidate));

describe('an image inputs digest (the label ./platform images build compares to decide what is stale)', () => {
  it('changes when a file the Containerfile copies changes: a service source, the lock file', () => {
    const before = inputsDigest(inputs(tree));
    expect(inputsDigest(inputs(replaced(tree, 'services/booking/src/main.ts', 'changed')))).not.toBe(before);
    expect(inputsDigest(inputs(replaced(tree, 'package-lock.json', 'changed')))).not.toBe(before);
    expect(inputsDigest(inputs([...tree, file('libs/money/src/new.ts')]))).not.toBe(before);
    expect(inputsDigest(inputs(tree.filter((candidate) => candidate.path !== 'libs/money/src/index.ts')))).not.toBe(before);
    expect(inputsDigest(inputs(tree.map((candidate) => (candidate.path === 'package.json' ? { ...candidate, mode: '100755' } : candidate))))).not.toBe(before);
  });

  it('does not change when a file the ignore file excludes changes (docs, node_modules, build info)', () => {
    const before = inputsDigest(inputs(tree));
    expect(inputsDigest(inputs(tree, { ignoreText: '' }))).not.toBe(before);
    expect(inputsDigest(inputs(replaced(tree, 'docs/decisions/0041-container-images.md', 'changed')))).toBe(before);
    expect(inputsDigest(inputs(replaced(tree, 'services/booking/node_modules/x/index.js', 'changed')))).toBe(before);
    expect(inputsDigest(inputs(replaced(tree, 'libs/money/tsconfig.tsbuildinfo', 'changed')))).toBe(before);
    expect(inputsDigest(inputs([...tree, file('.platform/logs/booking.log')]))).toBe(before);
  });

  it('does not change when a file outside what the Containerfile copies changes, and does for one it copies', () => {
    const postgres = readFileSync(join(ROOT, 'deploy/images/postgres.Containerfile'), 'utf8');
    const of = (files: readonly ContextFile[]): string => inputsDigest(inputs(files, { containerfile: { path: 'deploy/images/postgres.Containerfile', text: postgres }, buildArgs: {} }));
    expect(of(replaced(tree, 'services/booking/src/main.ts', 'changed'))).toBe(of(tree));
    expect(of(replaced(tree, 'deploy/images/postgres/entrypoint.sh', 'changed'))).not.toBe(of(tree));
  });

  it('changes with the Containerfile, a build argument, a flag and the base image; not with the order files are listed in', () => {
    const before = inputsDigest(inputs(tree));
    expect(inputsDigest(inputs(tree, { containerfile: { path: 'deploy/images/node.Containerfile', text: `${NODE_CONTAINERFILE}\n# comment` } }))).not.toBe(before);
    expect(inputsDigest(inputs(tree, { buildArgs: { SERVICE: 'payment', VERSION: '0.1.0' } }))).not.toBe(before);
    expect(inputsDigest(inputs(tree, { buildFlags: ['--layers', '--format', 'docker'] }))).not.toBe(before);
    expect(inputsDigest(inputs(tree, { baseImageId: 'base-2' }))).not.toBe(before);
    expect(inputsDigest(inputs([...tree].reverse()))).toBe(before);
  });
});

describe('what a Containerfile copies from its context', () => {
  it('reads COPY and ADD sources across continuation lines, not --from copies or URLs', () => {
    const containerfile = ['FROM base AS a', '# COPY commented/out /x', 'COPY --chown=1:1 a.txt \\', '  # a comment inside', '  dir/ /dest/', 'COPY --from=a /opt /opt', 'ADD https://example.test/x.tgz ./b/*.sh /y/', 'COPY ["json form.txt", "/z"]'].join('\n');
    expect(copiedSources(containerfile)).toEqual(['a.txt', 'dir', 'b/*.sh', 'json form.txt']);
  });

  it('takes a folder with everything in it, a glob as podman matches it, and refuses a source it cannot resolve', () => {
    const files = [file('dir/a'), file('dir/sub/b'), file('directory/c'), file('b/run.sh'), file('b/sub/run.sh')];
    expect(copiedFiles('COPY dir /x\nCOPY b/*.sh /y', '', files).map((candidate) => candidate.path)).toEqual(['b/run.sh', 'dir/a', 'dir/sub/b']);
    expect(() => copiedSources('COPY services/${SERVICE} /app')).toThrow(/cannot tell/);
  });

  it('finds in node.Containerfile the whole context (the manifests stage) and the sources the runtime takes', () => {
    expect(copiedSources(NODE_CONTAINERFILE)).toEqual(expect.arrayContaining(['.', 'package.json', 'libs', 'services', 'tools', 'schemas', 'deploy/images/node/entrypoint.sh']));
  });
});

describe('the ignore file, as podman reads it', () => {
  it('leaves out folders anywhere with **, a root folder only without it, and lets back in with !', () => {
    const rules = ignoreRules('.git\n**/node_modules\n/docs/\n**/*.tsbuildinfo\nlogs/*.log\n!logs/keep.log\n# a comment');
    expect(['.git/HEAD', 'node_modules/x', 'libs/a/node_modules/y/z.js', 'docs/a.md', 'libs/a/tsconfig.tsbuildinfo', 'logs/a.log'].filter((path) => !rules.ignores(path))).toEqual([]);
    expect(['libs/docs/a.md', 'libs/.git', 'logs/keep.log', 'logs/sub/a.log', 'package.json'].filter((path) => rules.ignores(path))).toEqual([]);
    expect(rules.hasExceptions).toBe(true);
  });

  it('computes git’s blob id, so a work-tree file and its index entry agree', () => {
    expect(blobId(Buffer.from('hello\n'))).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });
});
