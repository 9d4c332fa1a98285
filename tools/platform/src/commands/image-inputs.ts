import { createHash } from 'node:crypto';

/**
 * The digest of an image's build inputs, stored as a label at build time so that `./platform
 * images build` rebuilds only the images whose inputs changed (decision 0041, "Stale images"):
 * the Containerfile, the build arguments and flags, the base image, and every file of the build
 * context that one of the Containerfile's COPY/ADD instructions takes, less what the context's
 * ignore file (.containerignore, else .dockerignore) keeps out. Pure: the files come as git
 * records them (path, mode, blob id), listed by image-context.ts.
 */

export const INPUTS_LABEL = 'org.txn-platform.inputs';
/** Raised when these rules change what goes into the digest: every label then reads as stale. */
const DIGEST_RULES_VERSION = 1;

/** A file of the build context: its path from the context's root, git's mode (100644, 100755, 120000) and git's blob id. */
export interface ContextFile {
  readonly path: string;
  readonly mode: string;
  readonly blob: string;
}

export interface ImageInputs {
  readonly containerfile: { readonly path: string; readonly text: string };
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly buildFlags: readonly string[];
  /** The base image's id: a base made again makes every image built on it stale. */
  readonly baseImageId: string;
  /** The context's ignore file (.containerignore, else .dockerignore; '' when none). */
  readonly ignoreText: string;
  /** The files of the build context (image-context.ts reads them); this keeps those copied and not ignored. */
  readonly contextFiles: readonly ContextFile[];
}

/** git's blob id of a file's content (`git hash-object`), so a file read from the work tree and its index entry agree. */
export function blobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/** The Containerfile's instructions, continuation lines joined and comments dropped. */
function instructions(containerfile: string): string[] {
  const joined: string[] = [];
  let pending = '';
  for (const line of containerfile.split('\n')) {
    if (/^\s*#/.test(line) || (pending !== '' && line.trim() === '')) continue;
    const continued = /\\\s*$/.test(line);
    pending += continued ? line.replace(/\\\s*$/, ' ') : line;
    if (continued) continue;
    if (pending.trim() !== '') joined.push(pending.trim());
    pending = '';
  }
  if (pending.trim() !== '') joined.push(pending.trim());
  return joined;
}

/**
 * The context paths the Containerfile's COPY and ADD instructions read (`--from` ones read a stage
 * or an image, not the context). A source naming a variable or a heredoc is refused: these rules
 * would have to guess what it copies.
 */
export function copiedSources(containerfile: string): string[] {
  const sources: string[] = [];
  for (const instruction of instructions(containerfile)) {
    const match = /^(COPY|ADD)\s+(.*)$/i.exec(instruction);
    if (match === null) continue;
    const words = (match[2] ?? '').split(/\s+/);
    const flags = words.filter((word) => word.startsWith('--'));
    if (flags.some((flag) => flag.startsWith('--from='))) continue;
    const rest = words.filter((word) => !word.startsWith('--')).join(' ');
    const operands = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(' ');
    const from = operands.slice(0, -1).filter((source) => !/^https?:\/\//.test(source));
    if (from.length === 0 || from.some((source) => source.includes('$') || source.startsWith('<<'))) throw new Error(`image inputs: cannot tell what "${instruction}" copies (no variables or heredocs in COPY sources)`);
    sources.push(...from.map((source) => source.replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+$/, '') || '.'));
  }
  return sources;
}

/** A glob as Go's filepath.Match reads it (`*` and `?` stop at `/`), `**` as the ignore file's any-number-of-folders. */
function globRegExp(glob: string): RegExp {
  let pattern = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] ?? '';
    if (ch === '*' && glob[i + 1] === '*') {
      i += glob[i + 2] === '/' ? 2 : 1;
      pattern += i === glob.length - 1 ? '.*' : '(.*/)?';
    } else if (ch === '*') pattern += '[^/]*';
    else if (ch === '?') pattern += '[^/]';
    else if (ch === '\\' && i + 1 < glob.length) pattern += `\\${glob[++i] ?? ''}`;
    else if (ch === '[' && glob.indexOf(']', i + 1) > i) {
      const end = glob.indexOf(']', i + 1);
      pattern += `[${glob.slice(i + 1, end).replace(/^[!^]/, '^')}]`;
      i = end;
    } else pattern += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`);
}

/** The path and each folder it is in, innermost last: `a/b/c` → a, a/b, a/b/c. */
function pathAndParents(path: string): string[] {
  const parts = path.split('/');
  return parts.map((_, index) => parts.slice(0, index + 1).join('/'));
}

export interface IgnoreRules {
  /** Whether the context leaves this path out (a folder left out leaves out all in it). */
  readonly ignores: (path: string) => boolean;
  /** Whether a `!` line may let something back in below an ignored folder (then no folder may be skipped unread). */
  readonly hasExceptions: boolean;
}

/** A .containerignore/.dockerignore as podman and Docker read it: last matching line wins, `!` lets back in. */
export function ignoreRules(text: string): IgnoreRules {
  const rules = text.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#')).map((line) => {
    const exception = line.startsWith('!');
    const pattern = (exception ? line.slice(1).trim() : line).replace(/^\/+/, '').replace(/\/+$/, '').replace(/(^|\/)\.(\/|$)/g, '$1');
    return { exception, regExp: globRegExp(pattern) };
  });
  const ignores = (path: string): boolean => {
    const candidates = pathAndParents(path);
    let ignored = false;
    for (const rule of rules) if (rule.exception === ignored && candidates.some((candidate) => rule.regExp.test(candidate))) ignored = !rule.exception;
    return ignored;
  };
  return { ignores, hasExceptions: rules.some((rule) => rule.exception) };
}

/** Whether a COPY source takes this context path: itself, a file in the folder it names, or what its glob matches. */
function takes(source: string, path: string): boolean {
  if (source === '.') return true;
  if (!/[*?[]/.test(source)) return path === source || path.startsWith(`${source}/`);
  const regExp = globRegExp(source);
  return pathAndParents(path).some((candidate) => regExp.test(candidate));
}

/** The context files the Containerfile copies and the ignore file lets in, by path. */
export function copiedFiles(containerfile: string, ignoreText: string, contextFiles: readonly ContextFile[]): ContextFile[] {
  const sources = copiedSources(containerfile);
  const rules = ignoreRules(ignoreText);
  return contextFiles.filter((file) => sources.some((source) => takes(source, file.path)) && !rules.ignores(file.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** sha256 over every input, one per line in a fixed order: equal inputs, equal digest, on any checkout. */
export function inputsDigest(inputs: ImageInputs): string {
  const lines = [
    `rules ${DIGEST_RULES_VERSION}`,
    `containerfile ${inputs.containerfile.path} ${createHash('sha256').update(inputs.containerfile.text).digest('hex')}`,
    `flags ${JSON.stringify(inputs.buildFlags)}`,
    ...Object.keys(inputs.buildArgs).sort().map((key) => `arg ${JSON.stringify([key, inputs.buildArgs[key]])}`),
    `base ${inputs.baseImageId}`,
    ...copiedFiles(inputs.containerfile.text, inputs.ignoreText, inputs.contextFiles).map((file) => `file ${file.mode} ${file.blob} ${JSON.stringify(file.path)}`),
  ];
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}
