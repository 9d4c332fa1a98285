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
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { kafkaBrokers, loadPlatformConfig, postgresAdmin, schemaRegistryUrl, type PlatformConfig } from '@txn/infra-local';
import type { TestEnvironment } from '@txn/testing';
import { startPlatformInProcess, type PlatformInProcess } from '@txn/e2e';
import { between, distribution } from './figures';
import { checkInvariants } from './invariants';
import { committedTransactions, relayLatency, servicePipeline } from './pipeline-metrics';
import { createMarkerIntent, measurePspCeiling, storedIntentCount, type PspCeiling } from './psp-probe';
import { driveSagas, type SagaTimes } from './sagas';
import { SANDBOX_KINDS, startSandbox, type Sandbox, type SandboxKind } from './sandbox';

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

function positiveInteger(name: string, text: string, allowZero = false): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) throw new Error(`--${name} must be an integer ≥ ${allowZero ? 0 : 1}, got ${text}`);
  return value;
}

const BOOKINGS = positiveInteger('bookings', args.bookings);
const CONCURRENCY = positiveInteger('concurrency', args.concurrency);
const RATE_PER_S = positiveInteger('rate', args.rate, true);
const RESOURCES = positiveInteger('resources', args.resources);
const CEILING_FLOWS = positiveInteger('ceiling-flows', args['ceiling-flows'], true);
const PSP_CALLS_IN_FLIGHT = positiveInteger('psp-calls-in-flight', args['psp-calls-in-flight']);
if (!(SANDBOX_KINDS as readonly string[]).includes(args.sandbox)) throw new Error(`--sandbox must be one of ${SANDBOX_KINDS.join(', ')}, got ${args.sandbox}`);
const SANDBOX = args.sandbox as SandboxKind;
const PRICE_MINOR = 12_345n;
/** A saga taking this long is stuck, not slow: the run fails rather than waits. */
const SAGA_TIMEOUT_MS = 120_000;
/** Event-loop delay histogram resolution. */
const LOOP_DELAY_RESOLUTION_MS = 10;

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

async function main(): Promise<void> {
  const config = loadPlatformConfig();
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  const scratch = mkdtempSync(join(tmpdir(), 'bench-saga-'));
  const sandboxApiKey = `sk_test_bench_${randomBytes(8).toString('hex')}`;
  let platform: PlatformInProcess | undefined;
  let sandbox: Sandbox | undefined;
  const close = async (): Promise<void> => {
    await platform?.close();
    platform = undefined;
    await sandbox?.stop();
    sandbox = undefined;
    rmSync(scratch, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    process.stderr.write('interrupted: cleaning up\n');
    void close().finally(() => process.exit(130));
  });

  try {
    sandbox = await startSandbox(SANDBOX, config);
    process.env.PLATFORM_TEST_ENV_FILE = writeEnvironmentFile(config, scratch, sandbox);
    const sandboxUrl = sandbox.url;
    let ceilingBefore: PspCeiling | undefined;
    if (CEILING_FLOWS > 0) {
      process.stderr.write(`PSP path alone on the ${SANDBOX} sandbox: ${CEILING_FLOWS} authorize+capture flows, ${CONCURRENCY} at once, direct and through a proxy\n`);
      // A private sandbox is measured fresh (emptied before each path) and the run starts from an empty store; the shared one is never cleared.
      const empty = SANDBOX === 'shared' ? undefined : sandbox.clear;
      ceilingBefore = await measurePspCeiling(sandboxUrl, sandboxApiKey, CEILING_FLOWS, CONCURRENCY, 'before', empty);
      await empty?.();
    }
    const intentsAfter = await createMarkerIntent(sandboxUrl, sandboxApiKey, 'run');
    const storedAtStart = await storedIntentCount(sandboxUrl, sandboxApiKey);
    process.stderr.write(`starting booking, payment and ledger in-process (${SANDBOX} sandbox holds ${storedAtStart} intents; ${PSP_CALLS_IN_FLIGHT} PSP calls in flight at most)\n`);
    platform = await startPlatformInProcess({ paymentMethodOf: () => 'pm_card_visa', paymentEnvironment: { PAYMENT_CALL_BATCH_SIZE: String(PSP_CALLS_IN_FLIGHT) } });
    process.stderr.write(`driving ${BOOKINGS} bookings (${RATE_PER_S > 0 ? `${RATE_PER_S}/s, ` : ''}at most ${CONCURRENCY} in flight)\n`);

    const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    loopDelay.enable();
    const services = { booking: platform.booking, payment: platform.payment, ledger: platform.ledger };
    const commitsBefore = { booking: await committedTransactions(services.booking.pool), payment: await committedTransactions(services.payment.pool), ledger: await committedTransactions(services.ledger.pool) };
    const cpuBefore = process.cpuUsage();
    const drive = await driveSagas(platform, { bookings: BOOKINGS, concurrency: CONCURRENCY, rate_per_s: RATE_PER_S, resources: RESOURCES, priceMinor: PRICE_MINOR, sagaTimeout_ms: SAGA_TIMEOUT_MS });
    const cpu = process.cpuUsage(cpuBefore);
    loopDelay.disable();
    const wall_s = (drive.lastReleasedAt_ms - drive.startedAt_ms) / 1000;
    const load = loadavg();

    // Read at once, before the invariant checks add their own; the last second of the run may be missing (see committedTransactions).
    const commits = {
      booking: (await committedTransactions(services.booking.pool)) - commitsBefore.booking,
      payment: (await committedTransactions(services.payment.pool)) - commitsBefore.payment,
      ledger: (await committedTransactions(services.ledger.pool)) - commitsBefore.ledger,
    };
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
    const invariants = await checkInvariants({ platform, drive, brokers: kafkaBrokers(config), sandboxUrl, sandboxApiKey, intentsAfter, priceMinor: PRICE_MINOR });
    // The services are done with the sandbox; measure it loaded with what the run stored.
    await platform.close();
    platform = undefined;
    const ceilingAfter = CEILING_FLOWS > 0 ? await measurePspCeiling(sandboxUrl, sandboxApiKey, CEILING_FLOWS, CONCURRENCY, 'after') : undefined;
    const released = drive.sagas.filter((saga) => saga.released !== undefined);

    const result = {
      at: new Date().toISOString(),
      machine: `${cpus().length} cores; PostgreSQL, Kafka, registry, localstripe (${SANDBOX}) as local processes; booking, payment, ledger, PSP proxy and this driver in one Node process`,
      parameters: {
        bookings: BOOKINGS,
        concurrency: CONCURRENCY,
        offeredRate_per_s: RATE_PER_S,
        resources: RESOURCES,
        partitionsPerTopic: 3,
        priceMinor: Number(PRICE_MINOR),
        sandbox: SANDBOX,
        pspCallsInFlight: PSP_CALLS_IN_FLIGHT,
        ceilingFlows: CEILING_FLOWS,
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
      psp: {
        sandbox: SANDBOX,
        storedIntentsAtStart: storedAtStart,
        ...(ceilingBefore === undefined ? {} : { ceilingBefore }),
        ...(ceilingAfter === undefined ? {} : { ceilingAfter }),
        ceilingNotes:
          'PSP path alone: authorize (create+confirm, manual capture) then capture, `concurrency` flows at once, straight to the sandbox and through a PSP proxy ' +
          'of our own (the services\' proxy code). ceilingBefore: a private sandbox warmed up with untimed flows, then emptied before each path (fresh); ' +
          'ceilingAfter: the sandbox loaded with what the run stored (the proxy path also finds the direct path\'s flows). storedIntents = intents held when each path started.',
      },
      relay_ms,
      postgresCommits: {
        byService: commits,
        perSaga: Number(((commits.booking + commits.payment + commits.ledger) / BOOKINGS).toFixed(1)),
        per_s: Number(((commits.booking + commits.payment + commits.ledger) / wall_s).toFixed(0)),
      },
      pipeline,
      process: {
        cpu_percentOfOneCore: Math.round(((cpu.user + cpu.system) / 1000 / (wall_s * 1000)) * 100),
        eventLoopDelay_ms: { p50: Math.round(loopDelay.percentile(50) / 1e6), p99: Math.round(loopDelay.percentile(99) / 1e6), max: Math.round(loopDelay.max / 1e6) },
        loadAverage1m: { atStart: Number(loadAtStart.toFixed(2)), atEnd: Number(load[0]?.toFixed(2)) },
      },
      invariants,
    };
    const text = JSON.stringify(result, null, 2);
    process.stdout.write(`${text}\n`);
    process.stdout.write(
      invariants.ok
        ? `OK: ${released.length} sagas complete; one PaymentIntent each at the sandbox; booking COMPLETED, payment CAPTURED, escrow RELEASED; ledger verifies; no dead letters\n`
        : `INVARIANT BROKEN:\n${invariants.failures.map((failure) => `  - ${failure}`).join('\n')}\n`,
    );
    mkdirSync(join(config.rootDir, 'bench', 'results'), { recursive: true });
    writeFileSync(join(config.rootDir, 'bench', 'results', 'saga.json'), `${text}\n`);
    process.exitCode = invariants.ok ? 0 : 1;
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
