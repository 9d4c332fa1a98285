// Saga benchmark: N bookings through the whole happy path (RequestBooking → held → authorized at
// the PSP → confirmed → captured into escrow → CompleteBooking → completed → EscrowReleased),
// with booking, payment and ledger in this process (e2e/support/platform-in-process.ts) on their
// own suite topics and databases, the PSP fault proxy in front of the real localstripe. Needs
// `./platform up` (infrastructure only; the running services are not used or disturbed).
//
//   npm run bench:saga -- [--bookings 800] [--concurrency 32] [--rate 0] [--resources 20]
//                         [--sandbox private|shared] [--ceiling-flows 400]
//                         [--psp-calls-in-flight 16]
//
// --concurrency bounds sagas in flight (closed loop: a new booking as soon as one is released);
// --rate N starts N bookings/s instead (open loop, still bounded by --concurrency).
// --sandbox: which PSP sandbox (bench/saga/sandbox.ts): by default a private localstripe started
// for the run (empty, stopped afterwards) with a list-index patch, so that the figures are ours and
// not the sandbox's; `private` without the patch; `shared` the platform's (never cleared).
// --ceiling-flows: before the run, the PSP path alone (authorize + capture, --concurrency at once,
// straight and through a proxy; a private sandbox emptied before each), and after it the same on
// the sandbox loaded with what the run stored (0 skips). A private sandbox is emptied again before
// the run; the shared one never is (other suites use it).
// --psp-calls-in-flight: payment's PAYMENT_CALL_BATCH_SIZE (its default: 16).
// Prints the figures and the invariant check, writes bench/results/saga.json, removes its topics,
// databases, schema subjects and consumer groups' DLQs (the harness's close()). Exit 1 if an
// invariant is broken. The shared sandbox keeps the intents made (it cannot delete them).
// What each figure means, the latest figures and where the time goes: bench/saga/README.md.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { jaegerOtlpTracesUrl, jaegerQueryUrl, kafkaBrokers, loadPlatformConfig, postgresAdmin, schemaRegistryUrl, type PlatformConfig } from '@txn/infra-local';
import type { TestEnvironment } from '@txn/testing';
import { startPlatformInProcess, type PlatformInProcess } from '@txn/e2e';
import { between, distribution } from './figures';
import { checkInvariants, type InvariantReport } from './invariants';
import { committedTransactions, relayLatency, servicePipeline, type RelayLatency, type ServicePipeline } from './pipeline-metrics';
import { createMarkerIntent, measurePspCeiling, storedIntentCount, type PspCeiling } from './psp-probe';
import { driveSagas, type DriveResult, type SagaTimes } from './sagas';
import { SANDBOX_KINDS, startSandbox, type Sandbox, type SandboxKind } from './sandbox';

interface SagaBenchOptions {
  readonly bookings: number;
  readonly concurrency: number;
  readonly rate_per_s: number;
  readonly resources: number;
  readonly sandbox: SandboxKind;
  readonly ceilingFlows: number;
  readonly pspCallsInFlight: number;
}

function positiveInteger(name: string, text: string, allowZero = false): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) throw new Error(`--${name} must be an integer ≥ ${allowZero ? 0 : 1}, got ${text}`);
  return value;
}

/** The command line, checked in this order: a bad value throws before anything starts. */
function parseOptions(): SagaBenchOptions {
  const { values: args } = parseArgs({
    options: {
      bookings: { type: 'string', default: '800' },
      concurrency: { type: 'string', default: '32' },
      rate: { type: 'string', default: '0' },
      resources: { type: 'string', default: '20' },
      sandbox: { type: 'string', default: 'private' },
      'ceiling-flows': { type: 'string', default: '400' },
      'psp-calls-in-flight': { type: 'string', default: '16' },
    },
  });
  const bookings = positiveInteger('bookings', args.bookings);
  const concurrency = positiveInteger('concurrency', args.concurrency);
  const rate_per_s = positiveInteger('rate', args.rate, true);
  const resources = positiveInteger('resources', args.resources);
  const ceilingFlows = positiveInteger('ceiling-flows', args['ceiling-flows'], true);
  const pspCallsInFlight = positiveInteger('psp-calls-in-flight', args['psp-calls-in-flight']);
  if (!(SANDBOX_KINDS as readonly string[]).includes(args.sandbox)) throw new Error(`--sandbox must be one of ${SANDBOX_KINDS.join(', ')}, got ${args.sandbox}`);
  return { bookings, concurrency, rate_per_s, resources, sandbox: args.sandbox as SandboxKind, ceilingFlows, pspCallsInFlight };
}

const OPTIONS = parseOptions();
const PRICE_MINOR = 12_345n;
/** A saga taking this long is stuck, not slow: the run fails rather than waits. */
const SAGA_TIMEOUT_MS = 120_000;
/** Event-loop delay histogram resolution. */
const LOOP_DELAY_RESOLUTION_MS = 10;

/** One figure per service of the platform. */
interface PerService<T> {
  readonly booking: T;
  readonly payment: T;
  readonly ledger: T;
}

/** What the run has started, for closeRun() to stop whichever step failed. */
interface RunState {
  readonly scratch: string;
  platform: PlatformInProcess | undefined;
  sandbox: Sandbox | undefined;
}

/** The PSP sandbox as the run found it, and where our intents are listed. */
interface PspAtStart {
  readonly url: string;
  readonly apiKey: string;
  readonly ceilingBefore: PspCeiling | undefined;
  /** The marker intent: the run's intents are listed after it. */
  readonly intentsAfter: string;
  readonly storedAtStart: number;
}

/** What the measured drive took: the sagas' times and this process's costs meanwhile. */
interface MeasuredRun {
  readonly drive: DriveResult;
  readonly wall_s: number;
  readonly cpu: NodeJS.CpuUsage;
  readonly loopDelay: IntervalHistogram;
  readonly loadAtEnd: readonly number[];
  readonly commits: PerService<number>;
}

/** What was read and checked after the drive, the services stopped. */
interface AfterRun {
  readonly pipeline: PerService<ServicePipeline>;
  readonly relay_ms: PerService<RelayLatency>;
  readonly invariants: InvariantReport;
  readonly ceilingAfter: PspCeiling | undefined;
}

/** What the Jest global setup would write: the harness reads its endpoints from this file. */
function writeEnvironmentFile(config: PlatformConfig, directory: string, sandbox: Sandbox): string {
  const host = '127.0.0.1';
  const environment: TestEnvironment = {
    provider: 'local',
    kafka: { brokers: kafkaBrokers(config) },
    schemaRegistry: { url: schemaRegistryUrl(config) },
    postgres: { host, port: config.postgres.port, adminUser: postgresAdmin(config).user, adminPassword: postgresAdmin(config).password },
    pspSandbox: { host, port: sandbox.port, url: sandbox.url },
    pspProxy: { host, port: config.pspProxy.port, url: `http://${host}:${config.pspProxy.port}` },
    mailpit: { smtpUrl: `smtp://${host}:${config.mailpit.smtpPort}`, apiUrl: `http://${host}:${config.mailpit.httpPort}` },
    jaeger: { otlpTracesUrl: jaegerOtlpTracesUrl(config), queryUrl: jaegerQueryUrl(config) },
  };
  const path = join(directory, 'environment.json');
  writeFileSync(path, JSON.stringify(environment), { mode: 0o600 });
  return path;
}

/** Each stage from the previous step's event to its own, and the parts it is made of (see saga.md). */
function stages(sagas: readonly SagaTimes[]) {
  const of = (pick: (saga: SagaTimes) => number | undefined) => distribution(sagas.map(pick));
  return {
    held: { total: of((s) => between(s.requested, s.held)), parts: { publishConsumeCommit_ms: of((s) => between(s.requested, s.bookingHandledRequest)) } },
    authorized: {
      total: of((s) => between(s.held, s.authorized)),
      parts: { relayKafkaConsumeCommit_ms: of((s) => between(s.held, s.paymentHandledHeld)), pspDispatchCallRecord_ms: of((s) => between(s.paymentHandledHeld, s.pspAuthorized)) },
    },
    confirmed: { total: of((s) => between(s.authorized, s.confirmed)), parts: { relayKafkaConsumeCommit_ms: of((s) => between(s.authorized, s.bookingHandledAuthorized)) } },
    captured: {
      total: of((s) => between(s.confirmed, s.captured)),
      parts: { relayKafkaConsumeCommit_ms: of((s) => between(s.confirmed, s.paymentHandledConfirmed)), pspDispatchCallRecord_ms: of((s) => between(s.paymentHandledConfirmed, s.pspCaptured)) },
    },
    completed: {
      total: of((s) => between(s.captured, s.completed)),
      parts: {
        relayKafkaConsumeCommit_ms: of((s) => between(s.captured, s.bookingHandledCaptured)),
        merchantReaction_ms: of((s) => between(s.bookingHandledCaptured, s.completeSent)),
        commandPublishConsumeCommit_ms: of((s) => between(s.completeSent, s.bookingHandledComplete)),
      },
    },
    released: { total: of((s) => between(s.completed, s.released)), parts: { relayKafkaConsumeCommit_ms: of((s) => between(s.completed, s.ledgerHandledCompleted)) } },
  };
}

/** Stops the services, then the sandbox, and removes the scratch directory; a second call finds nothing left to stop. */
async function closeRun(state: RunState): Promise<void> {
  await state.platform?.close();
  state.platform = undefined;
  await state.sandbox?.stop();
  state.sandbox = undefined;
  rmSync(state.scratch, { recursive: true, force: true });
}

/** Starts the sandbox and points the harness at it, measures the PSP path alone (unless skipped), and marks where the run's intents begin. */
async function prepareSandbox(state: RunState, config: PlatformConfig, apiKey: string): Promise<PspAtStart> {
  const sandbox = await startSandbox(OPTIONS.sandbox, config);
  state.sandbox = sandbox;
  process.env.PLATFORM_TEST_ENV_FILE = writeEnvironmentFile(config, state.scratch, sandbox);
  const url = sandbox.url;
  let ceilingBefore: PspCeiling | undefined;
  if (OPTIONS.ceilingFlows > 0) {
    process.stderr.write(`PSP path alone on the ${OPTIONS.sandbox} sandbox: ${OPTIONS.ceilingFlows} authorize+capture flows, ${OPTIONS.concurrency} at once, direct and through a proxy\n`);
    // A private sandbox is measured fresh (emptied before each path) and the run starts from an empty store; the shared one is never cleared.
    const empty = OPTIONS.sandbox === 'shared' ? undefined : sandbox.clear;
    ceilingBefore = await measurePspCeiling(url, apiKey, OPTIONS.ceilingFlows, OPTIONS.concurrency, 'before', empty);
    await empty?.();
  }
  const intentsAfter = await createMarkerIntent(url, apiKey, 'run');
  const storedAtStart = await storedIntentCount(url, apiKey);
  return { url, apiKey, ceilingBefore, intentsAfter, storedAtStart };
}

/** Booking, payment and ledger in this process, payment with at most --psp-calls-in-flight PSP calls at once. */
async function startServices(state: RunState, psp: PspAtStart): Promise<PlatformInProcess> {
  process.stderr.write(`starting booking, payment and ledger in-process (${OPTIONS.sandbox} sandbox holds ${psp.storedAtStart} intents; ${OPTIONS.pspCallsInFlight} PSP calls in flight at most)\n`);
  state.platform = await startPlatformInProcess({ paymentMethodOf: () => 'pm_card_visa', paymentEnvironment: { PAYMENT_CALL_BATCH_SIZE: String(OPTIONS.pspCallsInFlight) } });
  return state.platform;
}

/** Transactions committed so far in each service's database, read one after the other. */
async function commitCounts(platform: PlatformInProcess): Promise<PerService<number>> {
  return { booking: await committedTransactions(platform.booking.pool), payment: await committedTransactions(platform.payment.pool), ledger: await committedTransactions(platform.ledger.pool) };
}

/** The measured part: drives the sagas, with this process's CPU and event-loop delay and the databases' commits around the drive. */
async function measuredRun(platform: PlatformInProcess): Promise<MeasuredRun> {
  process.stderr.write(`driving ${OPTIONS.bookings} bookings (${OPTIONS.rate_per_s > 0 ? `${OPTIONS.rate_per_s}/s, ` : ''}at most ${OPTIONS.concurrency} in flight)\n`);
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  loopDelay.enable();
  const commitsBefore = await commitCounts(platform);
  const cpuBefore = process.cpuUsage();
  const drive = await driveSagas(platform, {
    bookings: OPTIONS.bookings,
    concurrency: OPTIONS.concurrency,
    rate_per_s: OPTIONS.rate_per_s,
    resources: OPTIONS.resources,
    priceMinor: PRICE_MINOR,
    sagaTimeout_ms: SAGA_TIMEOUT_MS,
  });
  const cpu = process.cpuUsage(cpuBefore);
  loopDelay.disable();
  const wall_s = (drive.lastReleasedAt_ms - drive.startedAt_ms) / 1000;
  const loadAtEnd = loadavg();
  // Read at once, before the invariant checks add their own; the last second of the run may be missing (see committedTransactions).
  const commitsAfter = await commitCounts(platform);
  const commits = { booking: commitsAfter.booking - commitsBefore.booking, payment: commitsAfter.payment - commitsBefore.payment, ledger: commitsAfter.ledger - commitsBefore.ledger };
  return { drive, wall_s, cpu, loopDelay, loadAtEnd, commits };
}

/** After the drive: the services' own figures and the invariant checks; then the services stopped and the PSP path measured on what the run stored. */
async function checkAfterRun(state: RunState, platform: PlatformInProcess, drive: DriveResult, config: PlatformConfig, psp: PspAtStart): Promise<AfterRun> {
  process.stderr.write('checking invariants\n');
  const pipeline = {
    booking: await servicePipeline(platform.booking.service.dependencies.metrics),
    payment: await servicePipeline(platform.payment.service.dependencies.metrics),
    ledger: await servicePipeline(platform.ledger.service.dependencies.metrics),
  };
  const relay_ms = {
    booking: await relayLatency(platform.booking.pool),
    payment: await relayLatency(platform.payment.pool),
    ledger: await relayLatency(platform.ledger.pool),
  };
  const invariants = await checkInvariants({
    platform,
    drive,
    brokers: kafkaBrokers(config),
    sandboxUrl: psp.url,
    sandboxApiKey: psp.apiKey,
    intentsAfter: psp.intentsAfter,
    priceMinor: PRICE_MINOR,
  });
  // The services are done with the sandbox; measure it loaded with what the run stored.
  await platform.close();
  state.platform = undefined;
  const ceilingAfter = OPTIONS.ceilingFlows > 0 ? await measurePspCeiling(psp.url, psp.apiKey, OPTIONS.ceilingFlows, OPTIONS.concurrency, 'after') : undefined;
  return { pipeline, relay_ms, invariants, ceilingAfter };
}

/** The `psp` block: which sandbox, what it held, and the PSP path's ceiling before and after the run (when measured). */
function pspFigures(psp: PspAtStart, ceilingAfter: PspCeiling | undefined) {
  const { ceilingBefore } = psp;
  return {
    sandbox: OPTIONS.sandbox,
    storedIntentsAtStart: psp.storedAtStart,
    ...(ceilingBefore === undefined ? {} : { ceilingBefore }),
    ...(ceilingAfter === undefined ? {} : { ceilingAfter }),
    ceilingNotes:
      'PSP path alone: authorize (create+confirm, manual capture) then capture, `concurrency` flows at once, straight to the sandbox and through a PSP proxy ' +
      'of our own (the services\' proxy code). ceilingBefore: a private sandbox warmed up with untimed flows, then emptied before each path (fresh); ' +
      'ceilingAfter: the sandbox loaded with what the run stored (the proxy path also finds the direct path\'s flows). storedIntents = intents held when each path started.',
  };
}

/** The `process` block: this process's CPU over the drive, its event-loop delay, the machine's load at start and end. */
function processFigures(run: MeasuredRun, loadAtStart: number) {
  const { cpu, loopDelay, wall_s } = run;
  return {
    cpu_percentOfOneCore: Math.round(((cpu.user + cpu.system) / 1000 / (wall_s * 1000)) * 100),
    eventLoopDelay_ms: { p50: Math.round(loopDelay.percentile(50) / 1e6), p99: Math.round(loopDelay.percentile(99) / 1e6), max: Math.round(loopDelay.max / 1e6) },
    loadAverage1m: { atStart: Number(loadAtStart.toFixed(2)), atEnd: Number(run.loadAtEnd[0]?.toFixed(2)) },
  };
}

/** The results document (bench/results/saga.json), its fields in the order earlier runs wrote them. */
function buildResult(psp: PspAtStart, run: MeasuredRun, after: AfterRun, loadAtStart: number) {
  const { drive, wall_s, commits } = run;
  const released = drive.sagas.filter((saga) => saga.released !== undefined);
  return {
    at: new Date().toISOString(),
    machine: `${cpus().length} cores; PostgreSQL, Kafka, registry, localstripe (${OPTIONS.sandbox}) as local processes; booking, payment, ledger, PSP proxy and this driver in one Node process`,
    parameters: {
      bookings: OPTIONS.bookings,
      concurrency: OPTIONS.concurrency,
      offeredRate_per_s: OPTIONS.rate_per_s,
      resources: OPTIONS.resources,
      partitionsPerTopic: 3,
      priceMinor: Number(PRICE_MINOR),
      sandbox: OPTIONS.sandbox,
      pspCallsInFlight: OPTIONS.pspCallsInFlight,
      ceilingFlows: OPTIONS.ceilingFlows,
    },
    throughput: {
      completeSagas: released.length,
      wall_s: Number(wall_s.toFixed(1)),
      completeSagas_per_s: Number((released.length / wall_s).toFixed(1)),
      peakInFlight: drive.peakInFlight,
    },
    endToEnd_ms: distribution(drive.sagas.map((saga) => between(saga.requested, saga.released))),
    stages_ms: stages(drive.sagas),
    stageNotes:
      'Each stage runs from the previous step event\'s occurredAt to its own. Parts end at the consumer\'s "message handled" log line, written after its sub-batch ' +
      'committed, so a part can exceed its stage (the event it produced carries the handler\'s earlier clock). pspDispatchCallRecord = payment\'s commit of the ' +
      'fact → PSP call answered and its outcome committed (dispatcher wake, claim, load, HTTP call through the proxy, record).',
    psp: pspFigures(psp, after.ceilingAfter),
    relay_ms: after.relay_ms,
    postgresCommits: {
      byService: commits,
      perSaga: Number(((commits.booking + commits.payment + commits.ledger) / OPTIONS.bookings).toFixed(1)),
      per_s: Number(((commits.booking + commits.payment + commits.ledger) / wall_s).toFixed(0)),
    },
    pipeline: after.pipeline,
    process: processFigures(run, loadAtStart),
    invariants: after.invariants,
  };
}

/** Prints the document and the verdict, writes bench/results/saga.json, and sets the exit code (1: an invariant is broken). */
function report(config: PlatformConfig, result: ReturnType<typeof buildResult>): void {
  const { invariants } = result;
  const text = JSON.stringify(result, null, 2);
  process.stdout.write(`${text}\n`);
  process.stdout.write(
    invariants.ok
      ? `OK: ${result.throughput.completeSagas} sagas complete; one PaymentIntent each at the sandbox; booking COMPLETED, payment CAPTURED, escrow RELEASED; ledger verifies; no dead letters\n`
      : `INVARIANT BROKEN:\n${invariants.failures.map((failure) => `  - ${failure}`).join('\n')}\n`,
  );
  mkdirSync(join(config.rootDir, 'bench', 'results'), { recursive: true });
  writeFileSync(join(config.rootDir, 'bench', 'results', 'saga.json'), `${text}\n`);
  process.exitCode = invariants.ok ? 0 : 1;
}

async function main(): Promise<void> {
  const config = loadPlatformConfig();
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  const state: RunState = { scratch: mkdtempSync(join(tmpdir(), 'bench-saga-')), platform: undefined, sandbox: undefined };
  const sandboxApiKey = `sk_test_bench_${randomBytes(8).toString('hex')}`;
  process.once('SIGINT', () => {
    process.stderr.write('interrupted: cleaning up\n');
    void closeRun(state).finally(() => process.exit(130));
  });

  try {
    const psp = await prepareSandbox(state, config, sandboxApiKey);
    const platform = await startServices(state, psp);
    const run = await measuredRun(platform);
    const after = await checkAfterRun(state, platform, run.drive, config, psp);
    report(config, buildResult(psp, run, after, loadAtStart));
  } finally {
    await closeRun(state);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
