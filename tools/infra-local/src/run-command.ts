import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export class CommandFailedError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly logFile: string,
    readonly outputTail: string,
  ) {
    super(`\`${command}\` exited with ${exitCode ?? 'a signal'}; output in ${logFile}\n${outputTail}`);
    this.name = 'CommandFailedError';
  }
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Output is appended here; the error names this file. */
  readonly logFile: string;
  readonly user?: { readonly uid: number; readonly gid: number };
  /** Kill the command after this long; every external command gets a bound. */
  readonly timeout_ms: number;
}

const OUTPUT_TAIL_CHARS = 2_000;

/** Runs a short-lived command (installer, initdb, topic tool), appending its output to a log. */
export async function runCommand(command: string, args: readonly string[], options: RunOptions): Promise<string> {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  log.write(`\n$ ${command} ${args.join(' ')}\n`);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    uid: options.user?.uid,
    gid: options.user?.gid,
    timeout: options.timeout_ms,
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    log.write(chunk);
    output = (output + chunk.toString('utf8')).slice(-64_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exitCode = await new Promise<number | null>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolvePromise(code));
  });
  await new Promise<void>((done) => log.end(done));
  if (exitCode !== 0) {
    throw new CommandFailedError(`${command} ${args.join(' ')}`, exitCode, options.logFile, output.slice(-OUTPUT_TAIL_CHARS));
  }
  return output;
}
