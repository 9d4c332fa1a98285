export { ConfigError, LOG_LEVELS, loadServiceConfig, SettingsReader, type DatabaseSettings, type LogLevel, type ServiceConfig } from './config';
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
  type CodeMigration,
  type Migration,
  type MigrationReport,
} from './migrations';
export { READINESS_CHECK_TIMEOUT_MS, startHealthServer, type HealthServer, type ReadinessCheck } from './health-server';
export { PinoNestLogger } from './nest-logger';
export {
  bootstrapService,
  DATABASE_POOL_MAX,
  SERVICE_DEPENDENCIES,
  type BootstrapOptions,
  type RunningService,
  type ServiceDefinition,
  type ServiceDependencies,
} from './bootstrap';
export { SHUTDOWN_TIMEOUT_MS, stopOnSignals } from './shutdown';
export { periodically, PeriodicWork, type IterationOutcome, type PeriodicWorkOptions } from './periodic-work';
export { PERIODIC_WORK, PeriodicWorkLifecycle, type Runnable } from './periodic-lifecycle';
