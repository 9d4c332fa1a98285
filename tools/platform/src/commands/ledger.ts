import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { componentsFor, Supervisor, type PlatformConfig } from '@txn/infra-local';

/**
 * `./platform ledger <command>`: the ledger service's own command-line programs
 * (`services/ledger/src/<name>-main.ts`), run with the settings the ledger component gives the
 * running service: its database and runtime role, and the file holding that role's password (the
 * password never enters an environment). The CLI is a tool and may not import a service, so each
 * command is the service's program in a child process, with its output and exit code.
 *
 * A new command is one entry in LEDGER_COMMANDS (and its program in services/ledger/src).
 */
export interface LedgerCommand {
  /** One line for the usage. */
  readonly summary: string;
  /** The program, in services/ledger/src. */
  readonly program: string;
  /** What the program's exit codes mean, for the usage. */
  readonly exitCodes: string;
}

export const LEDGER_COMMANDS: Readonly<Record<string, LedgerCommand>> = {
  verify: {
    summary: 'prove the books: every balance equals its journal lines and pending holds, every entry balances, every currency nets to zero',
    program: 'verify-main.ts',
    exitCodes: '0 clean, 1 discrepancies (one JSON line each, then a summary), 2 could not run',
  },
  breaks: {
    summary: 'list the open breaks: facts the books could not place (booked to SUSPENSE when money moved), oldest first [--limit N]',
    program: 'breaks-main.ts',
    exitCodes: '0 none open, 1 breaks to explain (one JSON line each, then a summary by kind), 2 could not run',
  },
};

export function ledgerUsage(): string {
  const width = Math.max(...Object.keys(LEDGER_COMMANDS).map((name) => name.length));
  const lines = Object.entries(LEDGER_COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}\n  ${' '.repeat(width)}  exit: ${command.exitCodes}`);
  return `usage: ./platform ledger <command>   (against the ledger database of ./platform up)\n${lines.join('\n')}`;
}

/** The settings of the ledger component that say where its database is and who logs in. */
const DATABASE_SETTINGS = ['DATABASE_HOST', 'DATABASE_PORT', 'DATABASE_NAME', 'DATABASE_USER', 'DATABASE_PASSWORD_FILE'] as const;

/** The database settings the ledger component hands the running ledger service (its runtime role). */
export function ledgerDatabaseSettings(config: PlatformConfig): Record<string, string> {
  const supervisor = new Supervisor(config, componentsFor(config));
  const ledger = supervisor.components.find((component) => component.name === 'ledger');
  const env = ledger === undefined ? undefined : ledger.command(supervisor.context(ledger)).env;
  if (env === undefined) throw new Error('the ledger component names no database settings');
  const settings: Record<string, string> = {};
  for (const name of DATABASE_SETTINGS) {
    const value = env[name];
    if (value === undefined) throw new Error(`the ledger component does not set ${name}`);
    settings[name] = value;
  }
  return settings;
}

export interface LedgerCommandOptions {
  /** Where the ledger's database is (default: the ledger component's settings, ledgerDatabaseSettings). */
  readonly settings?: Readonly<Record<string, string>>;
  /** Receives the program's stdout and stderr instead of this process's own (tests, the demo). */
  readonly output?: (text: string) => void;
  /** Bound on the program's run; it is killed after it. */
  readonly timeout_ms?: number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** Runs one ledger program with the ledger's settings; resolves with its exit code (2 when it could not run). */
export function runLedgerProgram(config: PlatformConfig, command: LedgerCommand, args: readonly string[], options: LedgerCommandOptions = {}): Promise<number> {
  const settings = options.settings ?? ledgerDatabaseSettings(config);
  // A URL in this shell's environment would take precedence over the ledger's own settings.
  const { LEDGER_DATABASE_URL: _ignored, ...inherited } = process.env;
  const output = options.output;
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(config.rootDir, 'services', 'ledger', 'src', command.program), ...args], {
      cwd: config.rootDir,
      env: { ...inherited, ...settings },
      stdio: output === undefined ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
      timeout: options.timeout_ms ?? DEFAULT_TIMEOUT_MS,
    });
    if (output !== undefined) {
      child.stdout?.on('data', (chunk: Buffer) => output(chunk.toString('utf8')));
      child.stderr?.on('data', (chunk: Buffer) => output(chunk.toString('utf8')));
    }
    child.once('error', (error) => {
      (output ?? ((text: string) => process.stderr.write(text)))(`ledger: cannot run ${command.program}: ${error.message}\n`);
      resolvePromise(2);
    });
    child.once('close', (code) => resolvePromise(code ?? 2));
  });
}

/** `./platform ledger <command> [args…]`; returns the process exit code. */
export async function runLedgerCommand(args: readonly string[], config: PlatformConfig, options: LedgerCommandOptions = {}): Promise<number> {
  const [name, ...rest] = args;
  const command = name !== undefined && Object.hasOwn(LEDGER_COMMANDS, name) ? LEDGER_COMMANDS[name] : undefined;
  if (command === undefined) {
    const help = name === 'help' || name === '--help';
    if (!help) process.stderr.write(`ledger: ${name === undefined ? 'name a command' : `unknown command ${name}`}\n`);
    process.stderr.write(`${ledgerUsage()}\n`);
    return help ? 0 : 2;
  }
  try {
    return await runLedgerProgram(config, command, rest, options);
  } catch (error) {
    process.stderr.write(`ledger: ${(error as Error).message}\n`);
    return 2;
  }
}
