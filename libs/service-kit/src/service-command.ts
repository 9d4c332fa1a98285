import { ConfigError, loadMigrationConfig } from './config';
import { createServiceLogger } from './logger';
import type { ServiceSchema } from './migrations';
import { migrateServiceDatabase } from './service-database';

/**
 * A service's `main.ts`: one program, two commands, the way one container image serves both a
 * Deployment and its migration Job (docs/decisions/0015-database-roles.md):
 *
 *   node --import tsx services/<svc>/src/main.ts           serve (decision 0011's settings)
 *   node --import tsx services/<svc>/src/main.ts migrate   migrate as DATABASE_MIGRATION_USER, declare
 *                                                          DATABASE_USER's privileges, exit 0
 */
export interface ServiceCommand {
  /** For the one JSON line printed when it fails before (or without) a logger. */
  readonly service: string;
  readonly schema: ServiceSchema;
  /** Loads the configuration, starts the service, installs the signal handlers; resolves once serving. */
  serve(): Promise<void>;
}

export const SERVICE_COMMAND_USAGE = `usage: main.ts [migrate]
  (no command)  serve: migrate first if DATABASE_MIGRATION_USER is set, else check the schema is current
  migrate       apply the migrations as DATABASE_MIGRATION_USER, declare DATABASE_USER's privileges, exit`;

async function migrate(command: ServiceCommand, env: NodeJS.ProcessEnv): Promise<void> {
  const config = loadMigrationConfig(env);
  const logger = createServiceLogger({ serviceName: config.serviceName, level: config.logLevel });
  const report = await migrateServiceDatabase({ connection: config.database, runtimeRole: config.runtimeRole, schema: command.schema, logger, applicationName: `${config.serviceName}-migrate` });
  logger.info({ applied: report.applied, alreadyApplied: report.alreadyApplied, runtimeRole: config.runtimeRole }, 'database migrated; runtime role privileges declared');
}

/** Runs the command named by `argv` (the arguments after the script); sets the exit code, or exits 1 on failure. */
export async function runServiceCommand(command: ServiceCommand, argv: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined) await command.serve();
    else if (name === 'migrate' && rest.length === 0) await migrate(command, env);
    else {
      process.stderr.write(`${SERVICE_COMMAND_USAGE}\n`);
      process.exitCode = 2;
    }
  } catch (error: unknown) {
    // Before (or without) the logger: one JSON line on stderr naming what is wrong.
    const problems = error instanceof ConfigError ? error.problems : undefined;
    const msg = name === 'migrate' ? 'migration failed' : 'failed to start';
    // Where it failed (frames only: a stack carries code locations, never settings or data); none for a bad setting.
    const stack = problems === undefined ? (error as Error).stack?.split('\n').slice(1, 9).map((frame) => frame.trim()) : undefined;
    process.stderr.write(`${JSON.stringify({ level: 'fatal', service: command.service, msg, errorClass: (error as Error).name, error: (error as Error).message, problems, stack })}\n`);
    process.exit(1);
  }
}
