import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { componentsFor, Supervisor, type PlatformConfig } from '@txn/infra-local';

/**
 * A service's own command-line programs (`services/<service>/src/<name>-main.ts`), run with the
 * settings the service's component gives the running service: its database and runtime role, and
 * the file holding that role's password (the password never enters an environment). The CLI is a
 * tool and may not import a service, so each command is the service's program in a child process,
 * with its output and exit code. `./platform ledger …` and `./platform recon …` are two tables.
 */
export interface ServiceProgram {
  /** One line for the usage. */
  readonly summary: string;
  /** The program, in services/<service>/src. */
  readonly program: string;
  /** Arguments the program takes before the user's (a program serving several commands). */
  readonly leadingArgs?: readonly string[];
  /** What the program's exit codes mean, for the usage. */
  readonly exitCodes: string;
}

export interface ServiceProgramTable {
  /** The service whose programs these are (its component in ./platform up). */
  readonly service: string;
  /** How the user calls them: `./platform <verb> <command>`. */
  readonly verb: string;
  readonly commands: Readonly<Record<string, ServiceProgram>>;
  /** Settings of the running service the programs need besides its database (e.g. audit's KAFKA_BROKERS). */
  readonly extraSettings?: readonly string[];
}

export function programsUsage(table: ServiceProgramTable): string {
  const width = Math.max(...Object.keys(table.commands).map((name) => name.length));
  const lines = Object.entries(table.commands).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}\n  ${' '.repeat(width)}  exit: ${command.exitCodes}`);
  return `usage: ./platform ${table.verb} <command>   (against the ${table.service} database of ./platform up)\n${lines.join('\n')}`;
}

/** The settings of a component that say where its database is and who logs in. */
const DATABASE_SETTINGS = ['DATABASE_HOST', 'DATABASE_PORT', 'DATABASE_NAME', 'DATABASE_USER', 'DATABASE_PASSWORD_FILE'] as const;

/** The database settings the service's component hands the running service (its runtime role). */
export function serviceDatabaseSettings(config: PlatformConfig, service: string, extra: readonly string[] = []): Record<string, string> {
  const supervisor = new Supervisor(config, componentsFor(config));
  const component = supervisor.components.find((candidate) => candidate.name === service);
  const env = component === undefined ? undefined : component.command(supervisor.context(component)).env;
  if (env === undefined) throw new Error(`the ${service} component names no database settings`);
  const settings: Record<string, string> = {};
  for (const name of [...DATABASE_SETTINGS, ...extra]) {
    const value = env[name];
    if (value === undefined) throw new Error(`the ${service} component does not set ${name}`);
    settings[name] = value;
  }
  return settings;
}

export interface ServiceProgramOptions {
  /** Where the service's database is (default: its component's settings, serviceDatabaseSettings). */
  readonly settings?: Readonly<Record<string, string>>;
  /** Receives the program's stdout and stderr instead of this process's own (tests, the demo). */
  readonly output?: (text: string) => void;
  /** Bound on the program's run; it is killed after it. */
  readonly timeout_ms?: number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** Runs one program with the service's settings; resolves with its exit code (2 when it could not run). */
export function runServiceProgram(config: PlatformConfig, table: ServiceProgramTable, command: ServiceProgram, args: readonly string[], options: ServiceProgramOptions = {}): Promise<number> {
  const settings = options.settings ?? serviceDatabaseSettings(config, table.service, table.extraSettings);
  // A URL in this shell's environment (<SERVICE>_DATABASE_URL, commandConnection's override) would
  // take precedence over the service's own settings: none is passed on, whichever service it names.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.endsWith('_DATABASE_URL')));
  const output = options.output;
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(config.rootDir, 'services', table.service, 'src', command.program), ...(command.leadingArgs ?? []), ...args], {
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
      (output ?? ((text: string) => process.stderr.write(text)))(`${table.verb}: cannot run ${command.program}: ${error.message}\n`);
      resolvePromise(2);
    });
    child.once('close', (code) => resolvePromise(code ?? 2));
  });
}

/** `./platform <verb> <command> [args…]`; returns the process exit code. */
export async function runServiceCommand(table: ServiceProgramTable, args: readonly string[], config: PlatformConfig, options: ServiceProgramOptions = {}): Promise<number> {
  const [name, ...rest] = args;
  const command = name !== undefined && Object.hasOwn(table.commands, name) ? table.commands[name] : undefined;
  if (command === undefined) {
    const help = name === 'help' || name === '--help';
    if (!help) process.stderr.write(`${table.verb}: ${name === undefined ? 'name a command' : `unknown command ${name}`}\n`);
    process.stderr.write(`${programsUsage(table)}\n`);
    return help ? 0 : 2;
  }
  try {
    return await runServiceProgram(config, table, command, rest, options);
  } catch (error) {
    process.stderr.write(`${table.verb}: ${(error as Error).message}\n`);
    return 2;
  }
}
