import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EVENT_TYPES } from '@txn/contracts';
import { schemaRegistryUrl, type PlatformConfig, type ProcessRecord } from '@txn/infra-local';
import {
  COMPATIBILITY_DIRECTIONS,
  SchemaCompatibilityError,
  buildSchemaSet,
  checkCompatibility,
  checkSchemaHistory,
  describeDirection,
  formatIncompatibilities,
  readKnownTopics,
  readSchemaSources,
  registerSchemas,
  type SchemaCatalogue,
} from '@txn/schema-deploy';

export const SCHEMAS_USAGE = `usage: ./platform schemas <check|register>
  check      offline: every schema against its git history (FULL_TRANSITIVE);
             then the registry's compatibility endpoint for every subject (BACKWARD_TRANSITIVE)
  register   check with the registry, then register every subject (BACKWARD_TRANSITIVE, idempotent)`;

function say(line: string): void {
  process.stdout.write(`[schemas] ${line}\n`);
}

function complain(line: string): void {
  process.stderr.write(`[schemas] ${line}\n`);
}

/** The generated catalogue must be what schemas/avro says, or we would deploy stale schemas. */
function generatedCatalogueProblems(rootDir: string): string[] {
  const built = buildSchemaSet(readSchemaSources(rootDir), { knownTopics: readKnownTopics(rootDir) });
  if (!built.ok) return [...built.problems];
  const catalogue = EVENT_TYPES as Readonly<Record<string, { schema: object }>>;
  const problems: string[] = [];
  for (const event of built.set.events) {
    const generated = catalogue[event.eventType];
    if (generated === undefined || JSON.stringify(generated.schema) !== JSON.stringify(event.schema)) {
      problems.push(`${event.path}: libs/contracts/src/generated is stale for ${event.eventType}; run npm run contracts:generate`);
    }
  }
  const known = new Set(built.set.events.map((event) => event.eventType));
  for (const eventType of Object.keys(catalogue)) if (!known.has(eventType)) problems.push(`${eventType} is generated but has no schema; run npm run contracts:generate`);
  return problems;
}

function offlineCheck(rootDir: string): boolean {
  const built = buildSchemaSet(readSchemaSources(rootDir), { knownTopics: readKnownTopics(rootDir) });
  if (!built.ok) return false;
  const report = checkSchemaHistory(rootDir, built.set, COMPATIBILITY_DIRECTIONS.FULL);
  if (!report.gitAvailable) say('offline: not a git work tree, no history to compare with');
  if (report.shallow) say(`offline: shallow clone, only ${report.commitsExamined} commits available`);
  for (const skipped of report.commitsSkipped) say(`offline: commit ${skipped.commit} skipped (${skipped.reason})`);
  for (const failure of report.failures) {
    complain(`offline: ${failure.subject} at commit ${failure.commit}: ${describeDirection(failure.direction)}: ${failure.reason}`);
  }
  say(`offline: ${report.versionsCompared} earlier versions over ${report.commitsExamined} commits, ${report.failures.length} incompatible`);
  return report.failures.length === 0;
}

export async function runSchemasCommand(args: readonly string[], config: PlatformConfig): Promise<number> {
  const [action] = args;
  if (action !== 'check' && action !== 'register') {
    process.stderr.write(`${SCHEMAS_USAGE}\n`);
    return action === undefined || action === 'help' || action === '--help' ? 0 : 2;
  }
  const stale = generatedCatalogueProblems(config.rootDir);
  if (stale.length > 0) {
    for (const problem of stale) complain(problem);
    return 1;
  }
  const registryUrl = schemaRegistryUrl(config);
  const catalogue = EVENT_TYPES as unknown as SchemaCatalogue;

  if (action === 'check') {
    const offlineOk = offlineCheck(config.rootDir);
    const reports = await checkCompatibility(registryUrl, catalogue);
    const incompatible = reports.filter((report) => !report.compatible);
    if (incompatible.length > 0) complain(`registry ${registryUrl} refuses:\n${formatIncompatibilities(incompatible)}`);
    say(`registry: ${reports.length} subjects checked, ${incompatible.length} incompatible`);
    return offlineOk && incompatible.length === 0 ? 0 : 1;
  }

  try {
    const registered = await registerSchemas(registryUrl, catalogue);
    if (!args.includes('--quiet')) {
      for (const subject of registered) say(`${subject.subject}  id=${subject.id}  version=${subject.version}`);
    }
    say(`registered ${registered.length} subjects at ${registryUrl} (compatibility BACKWARD_TRANSITIVE)`);
    return 0;
  } catch (error) {
    if (error instanceof SchemaCompatibilityError) {
      complain(error.message);
      return 1;
    }
    throw error;
  }
}

/** What the last registration by `up` covered: which registry process, which catalogue. */
interface RegistrationStamp {
  readonly registry: string;
  readonly url: string;
  readonly catalogue_sha256: string;
}

function registrationStampFile(config: PlatformConfig): string {
  return join(config.stateDir, 'run', 'schemas-registered.json');
}

function stampOf(config: PlatformConfig, registry: ProcessRecord): RegistrationStamp {
  const registered = Object.entries(EVENT_TYPES).map(([eventType, contract]) => [eventType, contract.topic, contract.fullName, contract.schema]);
  const catalogue_sha256 = createHash('sha256').update(JSON.stringify(registered)).digest('hex');
  return { registry: `${registry.pid}:${registry.startTicks}`, url: schemaRegistryUrl(config), catalogue_sha256 };
}

function readStamp(path: string): RegistrationStamp | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RegistrationStamp;
  } catch {
    return undefined;
  }
}

/**
 * The deploy step of `./platform up`: registers every subject (`schemas register`), unless this
 * same registry process already got this same catalogue from an earlier `up` (a stamp in the
 * state folder). A registry restarted, or a schema changed, registers again; `./platform schemas
 * register` always does. `registry` is the running registry's process (undefined: not ours, or
 * not running: always register).
 */
export async function registerSchemasForUp(config: PlatformConfig, registry: ProcessRecord | undefined): Promise<number> {
  const path = registrationStampFile(config);
  const wanted = registry === undefined ? undefined : stampOf(config, registry);
  if (wanted !== undefined && JSON.stringify(readStamp(path)) === JSON.stringify(wanted)) return 0;
  const code = await runSchemasCommand(['register', '--quiet'], config);
  if (code === 0 && wanted !== undefined) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(wanted)}\n`);
  }
  return code;
}
