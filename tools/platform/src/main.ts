import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { runDashboardsCommand } from './commands/dashboards';
import { runCostCommand } from './commands/cost';
import { runDemoCommand } from './commands/demo';
import { runDrillCommand } from './commands/drill';
import { runDlqCommand } from './commands/dlq';
import { runLedgerCommand } from './commands/ledger';
import { runAuditCommand } from './commands/audit';
import { runNotificationsCommand } from './commands/notifications';
import { runLagCommand } from './commands/lag';
import { runIngressCommand } from './commands/ingress';
import { runImagesCommand } from './commands/images';
import { runReconCommand } from './commands/recon';
import { runSagasCommand } from './commands/sagas';
import { registerSchemasForUp, runSchemasCommand } from './commands/schemas';
import { runTokenCommand } from './commands/token';
import { planUp } from './commands/up';
import {
  ComponentError,
  Supervisor,
  componentsFor,
  ensureTopics,
  kafkaBrokers,
  loadPlatformConfig,
  loadTopicCatalogue,
  tailOfFile,
  type ComponentStatus,
  type PlatformConfig,
} from '@txn/infra-local';

const USAGE = `usage: ./platform <command>
  up [component…]      install on first use, start, wait until healthy (idempotent)
  down [component…]    stop what this project started (by pid file)
  status [--json]      up/down, pid, ports and log file of every component
  logs <component> [-f] last lines of a component's log (-f: follow)
  reset                down, then delete all local data (installed artifacts are kept)
  topics               create missing topics of deploy/kafka-topics.json on the configured Kafka
                       (done by \`up\`; for a Kafka started otherwise, e.g. docker compose)
  schemas check|register  check every Avro schema's compatibility / register all subjects
                       (register is part of \`up\`; \`./platform schemas\` explains both)
  demo [happy] [declined] [refund]  a demo merchant, bookings through the saga, each timeline printed
  dlq list|show|replay|ack  parked (dead-lettered) messages; \`./platform dlq\` explains
  sagas overdue [--limit N]  sagas past their deadline and not finished (booking's overdue_sagas)
  ledger verify        prove the ledger's books (\`./platform ledger\` lists its commands)
  recon run [--since 24h] | breaks  reconcile the PSP, payments, ledger and bookings now / list open breaks
  ingress catch-up [--since 24h]  fetch the PSP's events we may have missed, through the webhook path
  audit verify|trail <booking>  prove the audit chains (and their checkpoints) / one saga's whole story
  notifications deliveries|replay  the webhook delivery log (filters: endpoint, type, status, time) / send again
  lag [--group P] [--watch]  consumer lag per group/topic/partition, offsets and time, dead groups too
  cost [--seconds S]   CPU and memory of every running component (process trees, PSS)
  drill psp-outage [--outage S] [--rate N]  a game day: load through the API, the PSP down, alerts, books proven
  dashboards [--dashboard UID]  every Grafana dashboard panel as a link into the local Prometheus' graph page
  images build|secrets|up|down  container images (podman) and the platform from docker-compose.yml
  token --role <role> [--merchant m] [--sub s] [--ttl seconds]
                       a staff JWT for the local api-gateway (decision 0024)
  test [jest args…]    the whole test suite: static checks, unit and integration tests
                       (brings the infrastructure up and stops what it started)`;

/** The commands that only need the configuration: each parses its own arguments and returns the exit code. */
const OPERATOR_COMMANDS: Readonly<Record<string, (args: readonly string[], config: PlatformConfig) => Promise<number> | number>> = {
  demo: runDemoCommand,
  dlq: runDlqCommand,
  sagas: runSagasCommand,
  ledger: (args, config) => runLedgerCommand(args, config),
  recon: (args, config) => runReconCommand(args, config),
  ingress: runIngressCommand,
  audit: (args, config) => runAuditCommand(args, config),
  notifications: runNotificationsCommand,
  drill: runDrillCommand,
  cost: runCostCommand,
  lag: runLagCommand,
  dashboards: runDashboardsCommand,
  images: runImagesCommand,
  schemas: runSchemasCommand,
  token: runTokenCommand,
};

function printStatus(statuses: readonly ComponentStatus[]): void {
  const rows = statuses.map((s) => [
    s.name,
    s.version,
    s.state,
    s.pid === undefined ? '-' : String(s.pid),
    s.ports.map((p) => `${p.name}=127.0.0.1:${p.port}`).join(' '),
    s.logFile,
  ]);
  const header = ['COMPONENT', 'VERSION', 'STATE', 'PID', 'PORTS', 'LOG'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const row of [header, ...rows]) {
    process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}\n`);
  }
  for (const s of statuses.filter((x) => x.state === 'starting-or-unhealthy')) {
    process.stdout.write(`\n${s.name} is running but not healthy: ${s.detail}\n  see: ./platform logs ${s.name}\n`);
  }
}

async function follow(path: string): Promise<void> {
  let offset = existsSync(path) ? statSync(path).size : 0;
  process.stdout.write(tailOfFile(path));
  await new Promise<void>(() => {
    watch(path, () => {
      const size = statSync(path).size;
      if (size <= offset) return;
      createReadStream(path, { start: offset, end: size - 1 }).pipe(process.stdout, { end: false });
      offset = size;
    });
  });
}

function runJest(rootDir: string, stateDir: string, args: readonly string[]): Promise<number> {
  const reportFile = join(stateDir, 'reports', 'jest.json');
  mkdirSync(join(stateDir, 'reports'), { recursive: true });
  const jestBin = join(rootDir, 'node_modules', 'jest', 'bin', 'jest.js');
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [jestBin, '--ci', '--json', `--outputFile=${reportFile}`, ...args], {
      cwd: rootDir,
      stdio: 'inherit',
    });
    child.on('close', (code) => resolvePromise(code ?? 1));
  });
}

async function createTopics(config: PlatformConfig): Promise<void> {
  const kafka = new Kafka({ clientId: 'platform-cli', brokers: kafkaBrokers(config), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, loadTopicCatalogue(config.rootDir), (message) => process.stderr.write(`[platform] ${message}\n`));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Infrastructure first, then the deploy step for schemas (producers never register at run time),
 * then the services, which may produce as soon as they start. Only what was named and what it
 * depends on; what is already up costs a probe (and its set-up again only if its inputs changed).
 */
async function up(supervisor: Supervisor, config: PlatformConfig, names: readonly string[]): Promise<number> {
  const startedAt = Date.now();
  const plan = planUp(supervisor, names);
  if (plan.infrastructure.length > 0) await supervisor.up(plan.infrastructure);
  if (plan.registerSchemas) {
    const code = await registerSchemasForUp(config, supervisor.runningProcess('schema-registry'));
    if (code !== 0) return code;
  }
  // Their dependencies were brought up just above: each costs one probe here.
  if (plan.services.length > 0) await supervisor.up(plan.services);
  printStatus(await supervisor.status());
  process.stderr.write(`[platform] healthy in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadPlatformConfig();
  const supervisor = new Supervisor(config, componentsFor(config));
  switch (command) {
    case 'up':
      return up(supervisor, config, rest);
    case 'down':
      await supervisor.down(rest);
      return 0;
    case 'status': {
      const statuses = await supervisor.status();
      if (rest.includes('--json')) process.stdout.write(`${JSON.stringify(statuses, null, 2)}\n`);
      else printStatus(statuses);
      return statuses.every((s) => s.state === 'up') ? 0 : 3;
    }
    case 'logs': {
      const name = rest.find((a) => !a.startsWith('-'));
      const component = supervisor.components.find((c) => c.name === name);
      if (component === undefined) {
        process.stderr.write(`logs: name one of ${supervisor.components.map((c) => c.name).join(', ')}\n`);
        return 2;
      }
      const logFile = supervisor.context(component).logFile;
      if (rest.includes('-f')) await follow(logFile);
      process.stdout.write(tailOfFile(logFile));
      return 0;
    }
    case 'reset':
      await supervisor.reset();
      return 0;
    case 'topics':
      await createTopics(config);
      return 0;
    case 'test':
      return runJest(config.rootDir, config.stateDir, rest[0] === '--' ? rest.slice(1) : rest);
    default: {
      const run = command === undefined ? undefined : OPERATOR_COMMANDS[command];
      if (run !== undefined) return await run(rest, config);
      process.stderr.write(`${USAGE}\n`);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ComponentError) process.stderr.write(`[platform] FAILED ${error.message}\n`);
    else process.stderr.write(`[platform] FAILED ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
