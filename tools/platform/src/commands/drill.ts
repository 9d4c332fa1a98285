import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { ensureServiceDatabase, pspProxyUrl, type PlatformConfig } from '@txn/infra-local';
import { runAuditCommand } from './audit';
import { measureCost, type CostReport } from './cost';
import { demoMerchantClient, registerResourceThroughApi } from './demo-api';
import { requireServicesReady } from './demo';
import { driveBookings, settle, type Arrival } from './drill-load';
import { alertTransitions, sampleTimeline, type AlertTransition, type TimelineSample } from './drill-timeline';
import { runLedgerCommand } from './ledger';
import { runReconCommand } from './recon';

export const DRILL_USAGE = `usage: ./platform drill psp-outage [--outage S] [--rate N] [--before S] [--after S] [--settle S] [--fault drop|503]
  A game day on the running platform (./platform up): bookings through the public API at N per
  second (default 2) for --before (60 s) + --outage (300 s) + --after (180 s) seconds; during the
  outage the PSP proxy drops every connection (drop, the default: the PSP unreachable) or answers
  503 before doing anything. Meanwhile Prometheus' figures and alerts are sampled every 10 s and each
  component's CPU and memory measured idle and under load. Then every booking is followed until it
  settles (at most --settle, 900 s), and the books are proven: ledger verify, audit verify, recon
  run, one payment per booking, no PSP call left. The report (timeline, alerts, outcomes,
  invariants, costs) is written to .platform/drills/ and summarised here. Exit 0 when every
  invariant held, 1 when one did not, 2 when the drill could not run.`;

const SAMPLE_EVERY_MS = 10_000;
const COST_WINDOW_S = 20;
const PROGRAM_TIMEOUT_MS = 300_000;
const MERCHANT = 'drill-merchant';
const HTTP_TIMEOUT_MS = 5_000;

interface DrillOptions {
  readonly outage_s: number;
  readonly rate_per_s: number;
  readonly before_s: number;
  readonly after_s: number;
  readonly settle_s: number;
  readonly fault: 'drop' | '503';
}

function option(args: readonly string[], name: string, fallback: number, max: number): number {
  const index = args.indexOf(name);
  if (index < 0) return fallback;
  const value = Number(args[index + 1]);
  if (!Number.isFinite(value) || value <= 0 || value > max) throw new Error(`${name} takes a number in (0, ${max}], got ${String(args[index + 1])}`);
  return value;
}

function parseOptions(args: readonly string[]): DrillOptions {
  const faultIndex = args.indexOf('--fault');
  const fault = faultIndex < 0 ? 'drop' : args[faultIndex + 1];
  if (fault !== 'drop' && fault !== '503') throw new Error(`--fault takes drop or 503, got ${String(fault)}`);
  return { outage_s: option(args, '--outage', 300, 3_600), rate_per_s: option(args, '--rate', 2, 50), before_s: option(args, '--before', 60, 3_600), after_s: option(args, '--after', 180, 3_600), settle_s: option(args, '--settle', 900, 7_200), fault };
}

/** The PSP down for everyone: every request through the proxy fails until the rule is removed. */
async function breakPsp(config: PlatformConfig, fault: DrillOptions['fault']): Promise<string> {
  const rule = fault === 'drop' ? { kind: 'error_before_work', path: '/**', probability: 1, drop_connection: true } : { kind: 'error_before_work', path: '/**', probability: 1, status: 503 };
  const response = await fetch(`${pspProxyUrl(config)}/_faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule), signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  // The proxy's admin API answers 201 { ids: [...] } (tools/psp-proxy/src/admin-handler.ts).
  const body = (await response.json()) as { ids?: string[] };
  const id = body.ids?.[0];
  if (response.status >= 300 || id === undefined) throw new Error(`the PSP proxy refused the outage rule: ${response.status} ${JSON.stringify(body)}`);
  return id;
}

async function healPsp(config: PlatformConfig, ruleId: string): Promise<void> {
  await fetch(`${pspProxyUrl(config)}/_faults/${ruleId}`, { method: 'DELETE', signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
}

interface ProgramResult {
  readonly exitCode: number;
  readonly lastLines: string;
}

async function program(run: (options: { output: (text: string) => void; timeout_ms: number }) => Promise<number>): Promise<ProgramResult> {
  let output = '';
  const exitCode = await run({ output: (text) => (output += text), timeout_ms: PROGRAM_TIMEOUT_MS });
  return { exitCode, lastLines: output.trim().split('\n').slice(-3).join('\n') };
}

interface PaymentChecks {
  readonly paymentsPerBookingAboveOne: number;
  readonly pspCallsLeft: number;
  readonly pspCallsParked: number;
  readonly paymentStatuses: Record<string, number>;
}

async function paymentChecks(config: PlatformConfig, bookingIds: readonly string[]): Promise<PaymentChecks> {
  const credentials = await ensureServiceDatabase({ config }, 'payment');
  if (credentials === undefined) throw new Error('no payment database');
  const pool = new Pool({ ...credentials, max: 1, statement_timeout: 15_000, application_name: 'platform-drill' });
  try {
    const duplicates = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM (SELECT booking_id FROM payments WHERE booking_id = ANY($1::uuid[]) GROUP BY booking_id HAVING count(*) > 1) d', [bookingIds]);
    const calls = await pool.query<{ left: number; parked: number }>('SELECT count(*)::int AS left, count(*) FILTER (WHERE parked_at IS NOT NULL)::int AS parked FROM psp_calls c JOIN payments p USING (payment_id) WHERE p.booking_id = ANY($1::uuid[])', [bookingIds]);
    const statuses = await pool.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM payments WHERE booking_id = ANY($1::uuid[]) GROUP BY status ORDER BY status', [bookingIds]);
    return { paymentsPerBookingAboveOne: duplicates.rows[0]?.n ?? 0, pspCallsLeft: calls.rows[0]?.left ?? 0, pspCallsParked: calls.rows[0]?.parked ?? 0, paymentStatuses: Object.fromEntries(statuses.rows.map((row) => [row.status, row.n])) };
  } finally {
    await pool.end();
  }
}

export interface DrillReport {
  readonly scenario: string;
  readonly options: DrillOptions;
  readonly startedAt: string;
  /** Seconds since the start. */
  readonly outage: { readonly from_s: number; readonly to_s: number };
  readonly arrivals: { readonly sent: number; readonly accepted: number; readonly refused: Record<string, number>; readonly shed: number; readonly p99_ms: number };
  readonly bookingStatuses: Record<string, number>;
  readonly payments: PaymentChecks;
  readonly invariants: { readonly ledgerVerify: ProgramResult; readonly auditVerify: ProgramResult; readonly reconRun: ProgramResult; readonly held: boolean };
  readonly alerts: readonly AlertTransition[];
  readonly timeline: readonly TimelineSample[];
  readonly cost: { readonly idle: CostReport; readonly underLoad: CostReport };
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function p99(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
}

function summaryOf(arrivals: readonly Arrival[], shed: number): DrillReport['arrivals'] {
  const accepted = arrivals.filter((arrival) => arrival.status === 202);
  return { sent: arrivals.length, accepted: accepted.length, refused: countBy(arrivals.filter((arrival) => arrival.status !== 202), (arrival) => String(arrival.status)), shed, p99_ms: p99(arrivals.map((arrival) => arrival.latency_ms)) };
}

/** The timeline sampler, every 10 s until stopped. */
function startSampling(config: PlatformConfig, startedAt_ms: number): { samples: TimelineSample[]; stop(): Promise<void> } {
  const samples: TimelineSample[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      samples.push(await sampleTimeline(config, startedAt_ms));
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
    }
  })();
  return {
    samples,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

async function runOutage(config: PlatformConfig, options: DrillOptions, log: (line: string) => void): Promise<DrillReport> {
  const api = await demoMerchantClient(config, MERCHANT);
  const resourceId = `drill-room-${Date.now().toString(36)}`;
  await registerResourceThroughApi(api, resourceId, 'Drill room');
  log(`measuring idle cost (${COST_WINDOW_S} s)`);
  const idle = await measureCost(config, COST_WINDOW_S);
  const startedAt_ms = Date.now();
  const sampling = startSampling(config, startedAt_ms);
  const firstSlot = new Date(Math.ceil((Date.now() + 30 * 86_400_000) / 3_600_000) * 3_600_000);
  const total_ms = (options.before_s + options.outage_s + options.after_s) * 1000;
  log(`driving ${options.rate_per_s} bookings/s for ${total_ms / 1000} s on ${resourceId}; the PSP goes down at ${options.before_s} s for ${options.outage_s} s (${options.fault})`);
  const load = driveBookings({ api, resourceId, rate_per_s: options.rate_per_s, duration_ms: total_ms, firstSlot });
  // Under load, before the outage: what normal traffic costs.
  const underLoad = await measureCost(config, Math.min(COST_WINDOW_S, Math.max(1, options.before_s - 5)));
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt_ms + options.before_s * 1000 - Date.now())));
  const ruleId = await breakPsp(config, options.fault);
  const outageFrom_s = Math.round((Date.now() - startedAt_ms) / 1000);
  log(`t=${outageFrom_s} s: PSP down (proxy rule ${ruleId})`);
  try {
    await new Promise((resolve) => setTimeout(resolve, options.outage_s * 1000));
  } finally {
    // Whatever happens, the drill does not leave the PSP down.
    await healPsp(config, ruleId);
  }
  const outageTo_s = Math.round((Date.now() - startedAt_ms) / 1000);
  log(`t=${outageTo_s} s: PSP back`);
  const { arrivals, shed } = await load;
  const bookingIds = arrivals.flatMap((arrival) => (arrival.bookingId === undefined ? [] : [arrival.bookingId]));
  log(`load done: ${bookingIds.length} bookings accepted; following each until it settles (at most ${options.settle_s} s)`);
  const statuses = await settle(api, bookingIds, Date.now() + options.settle_s * 1000);
  await sampling.stop();
  log('proving the books: ledger verify, audit verify, recon run');
  const ledgerVerify = await program((o) => runLedgerCommand(['verify'], config, o));
  const auditVerify = await program((o) => runAuditCommand(['verify'], config, o));
  const reconRun = await program((o) => runReconCommand(['run'], config, o));
  const payments = await paymentChecks(config, bookingIds);
  const held = ledgerVerify.exitCode === 0 && auditVerify.exitCode === 0 && reconRun.exitCode === 0 && payments.paymentsPerBookingAboveOne === 0 && payments.pspCallsLeft === 0;
  return {
    scenario: 'psp-outage',
    options,
    startedAt: new Date(startedAt_ms).toISOString(),
    outage: { from_s: outageFrom_s, to_s: outageTo_s },
    arrivals: summaryOf(arrivals, shed),
    bookingStatuses: countBy([...statuses.values()], (status) => status),
    payments,
    invariants: { ledgerVerify, auditVerify, reconRun, held },
    alerts: alertTransitions(sampling.samples),
    timeline: sampling.samples,
    cost: { idle, underLoad },
  };
}

function printSummary(report: DrillReport, file: string): void {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  out(`drill ${report.scenario}: PSP down from t=${report.outage.from_s} s to t=${report.outage.to_s} s`);
  out(`  arrivals: ${JSON.stringify(report.arrivals)}`);
  out(`  bookings settled as: ${JSON.stringify(report.bookingStatuses)}`);
  out(`  payments: ${JSON.stringify(report.payments)}`);
  for (const alert of report.alerts) out(`  alert ${alert.alert}: pending ${alert.pending_s ?? '-'} s, firing ${alert.firing_s ?? '-'} s, resolved ${alert.resolved_s ?? '-'} s`);
  out(`  ledger verify exit ${report.invariants.ledgerVerify.exitCode}, audit verify exit ${report.invariants.auditVerify.exitCode}, recon run exit ${report.invariants.reconRun.exitCode}: invariants ${report.invariants.held ? 'HELD' : 'BROKEN'}`);
  out(`  cost idle: ${report.cost.idle.total.cpuPercent} % CPU, ${report.cost.idle.total.memory_mb} MB; under load: ${report.cost.underLoad.total.cpuPercent} % CPU, ${report.cost.underLoad.total.memory_mb} MB`);
  out(`  report: ${file}`);
}

/** `./platform drill psp-outage …`; 0 invariants held, 1 broken, 2 could not run. */
export async function runDrillCommand(args: readonly string[], config: PlatformConfig): Promise<number> {
  if (args[0] !== 'psp-outage' || args.includes('--help')) {
    process.stdout.write(`${DRILL_USAGE}\n`);
    return args.includes('--help') ? 0 : 2;
  }
  try {
    const options = parseOptions(args.slice(1));
    await requireServicesReady(config);
    const report = await runOutage(config, options, (line) => process.stderr.write(`[drill] ${line}\n`));
    const directory = join(config.stateDir, 'drills');
    mkdirSync(directory, { recursive: true });
    const file = join(directory, `psp-outage-${report.startedAt.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    printSummary(report, file);
    return report.invariants.held ? 0 : 1;
  } catch (error) {
    process.stderr.write(`drill: ${(error as Error).message}\n`);
    return 2;
  }
}
