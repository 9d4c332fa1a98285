export { ConfigError, LOG_LEVELS, loadMigrationConfig, loadServiceConfig, SettingsReader, type DatabaseSettings, type LogLevel, type MigrationConfig, type ServiceConfig } from './config';
export { createServiceLogger, REDACTED_PATHS, type LoggerOptions } from './logger';
export { installTelemetry } from './telemetry';
export {
  MAX_MIGRATIONS,
  MIGRATION_LOCK_KEY,
  MIGRATION_LOCK_TIMEOUT_MS,
  MIGRATIONS_TABLE,
  messagingTablesMigration,
  MigrationError,
  orderMigrations,
  readSqlMigrations,
  runMigrations,
  unappliedMigrations,
  type CodeMigration,
  type Migration,
  type MigrationReport,
  type ServiceSchema,
} from './migrations';
export { declareRuntimeGrants, quoteIdentifier, readRuntimeGrantsFile, RUNTIME_GRANTS_FILE, RUNTIME_ROLE_PLACEHOLDER, type RuntimeGrants } from './runtime-grants';
export { checkRuntimeDatabase, DatabaseRoleError, migrateServiceDatabase, type MigrateServiceDatabaseOptions } from './service-database';
export { runServiceCommand, SERVICE_COMMAND_USAGE, type ServiceCommand } from './service-command';
export { READINESS_CHECK_TIMEOUT_MS, startHealthServer, type HealthServer, type ReadinessCheck } from './health-server';
export { PinoNestLogger } from './nest-logger';
export {
  bootstrapService,
  DATABASE_POOL_MAX,
  SERVICE_DEPENDENCIES,
  type BootstrapOptions,
  type HttpSurface,
  type RunningService,
  type ServiceDefinition,
  type ServiceDependencies,
} from './bootstrap';
export { SHUTDOWN_TIMEOUT_MS, stopOnSignals } from './shutdown';
export { periodically, PeriodicWork, type IterationOutcome, type PeriodicWorkOptions } from './periodic-work';
export { PERIODIC_WORK, PeriodicWorkLifecycle, type Runnable } from './periodic-lifecycle';
export { commandConnection, commandInstant, commandInteger, commandOption, jsonLine } from './command-database';
