// Webhook benchmark: the ingress as the platform runs it (a process: node --import tsx
// services/webhook-ingress/src/main.ts) on a private database and a private topic of the real
// PostgreSQL and Kafka, loaded on loopback by autocannon with a freshly signed Stripe event per
// request (a unique event id each, HMAC-SHA256 over `t.body` as Stripe signs). Needs
// `./platform up` (infrastructure only).
//
//   npm run bench:webhooks -- [--rate 2000] [--duration 15] [--connections 32] [--applied-rates 50,200] [--applied-duration 10] [--out bench/results/webhooks.json]
//
// Scenarios, in order: refused deliveries (a bad signature: verified and answered 400 without the
// database; the same run's ceiling), new signed events at saturation, at --rate, and redeliveries of
// one event (the dedup path), then the ceiling again. "Stored" = answered 200 = committed with its
// outbox row. Then the time until applied in payment, at each --applied-rates (booking, payment and
// ledger started as processes; --applied-rates '' skips it). Figures and where the time goes:
// bench/webhooks/README.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Pool } from 'pg';
import { EVENT_TYPES, PspEventReceived } from '@txn/contracts';
import { registerSchemas } from '@txn/schema-deploy';
import { startPlatformProcesses } from '@txn/e2e';
import { storedToApplied, type AppliedFigures } from './applied';
import { cpuBudget, cpuSnapshot, type CpuBudget } from './cpu-budget';
import { baseServiceSettings, Cleanups, createSuiteScope, freePort, secretFiles, testEnvironment, waitFor } from '@txn/testing';

const ROOT_DIR = resolve(__dirname, '..', '..');
const SECRET = `whsec_${randomUUID().replace(/-/g, '')}`;

interface Figures {
  readonly scenario: string;
  readonly rate_per_s: number | 'saturation';
  readonly stored_per_s: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly latency_ms: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly cpu: CpuBudget;
}

/** A Stripe event body and its signature header; `eventId` fixed for redeliveries. */
function signed(secret: string, eventId = `evt_${randomUUID().replace(/-/g, '').slice(0, 24)}`): { body: string; signature: string } {
  const body = JSON.stringify({ id: eventId, object: 'event', type: 'payment_intent.succeeded', created: Math.floor(Date.now() / 1000), livemode: false, data: { object: { id: `pi_${eventId}`, object: 'payment_intent', status: 'succeeded', amount: 1250, currency: 'eur', metadata: { tenant_id: 'bench' } } } });
  const at = Math.floor(Date.now() / 1000);
  return { body, signature: `t=${at},v1=${createHmac('sha256', secret).update(`${at}.${body}`).digest('hex')}` };
}

async function load(ingress: Ingress, name: string, options: { rate?: number; duration_s: number; connections: number }, next: () => { body: string; signature: string }): Promise<Figures> {
  const before = cpuSnapshot(ingress.pid);
  const result = await autocannon({
    url: ingress.url,
    connections: options.connections,
    duration: options.duration_s,
    ...(options.rate === undefined ? {} : { overallRate: options.rate }),
    timeout: 10,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const { body, signature } = next();
          return { ...request, body, headers: { 'content-type': 'application/json', 'stripe-signature': signature } };
        },
      },
    ],
  });
  const cpu = cpuBudget(before, cpuSnapshot(ingress.pid), result['2xx'] + result.non2xx);
  const figures: Figures = { scenario: name, rate_per_s: options.rate ?? 'saturation', stored_per_s: Math.round(result['2xx'] / options.duration_s), non2xx: result.non2xx, errors: result.errors + result.timeouts, latency_ms: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max }, cpu };
  const budget = Object.entries(cpu.cpu_ms_per_answer).map(([group, ms]) => `${group} ${ms.toFixed(3)}`).join(' ');
  process.stdout.write(`${name.padEnd(34)} ${String(figures.rate_per_s).padStart(10)}  2xx ${String(figures.stored_per_s).padStart(6)}/s  p50 ${figures.latency_ms.p50} ms  p99 ${figures.latency_ms.p99} ms  max ${figures.latency_ms.max} ms  non-2xx ${figures.non2xx}  errors ${figures.errors}\n`);
  process.stdout.write(`${''.padEnd(34)} CPU ms per answer: ${budget}; machine idle ${(cpu.machine_idle * 100).toFixed(0)} %\n`);
  return figures;
}

interface Ingress {
  readonly url: string;
  readonly pool: Pool;
  readonly pid: number;
}

/** `poolMax`: the ingress' DATABASE_POOL_MAX; `topicPrefix`: publish on those topics (they and their schemas exist), not a private one. */
async function startIngress(cleanups: Cleanups, options: { readonly poolMax?: number; readonly topicPrefix?: string } = {}): Promise<Ingress> {
  const { poolMax } = options;
  const environment = testEnvironment();
  const scope = await createSuiteScope(`bench-webhooks-${process.pid}-${poolMax ?? 'default'}`);
  cleanups.push(() => scope.dispose());
  let prefix = options.topicPrefix;
  if (prefix === undefined) {
    prefix = scope.topic('x').slice(0, -1);
    const topic = `${prefix}${PspEventReceived.topic}`;
    await scope.createTopics([{ topic, numPartitions: 6 }]);
    await registerSchemas(environment.schemaRegistry.url, { PspEventReceived: { subject: `${topic}-${EVENT_TYPES.PspEventReceived.fullName}`, schema: EVENT_TYPES.PspEventReceived.schema } });
  }
  const database = await scope.database('webhook_ingress');
  const secrets = secretFiles('bench-webhooks-');
  cleanups.push(() => secrets.remove());
  const apiPort = await freePort();
  const env = { ...process.env, ...baseServiceSettings('webhook-ingress', database, secrets.write, 'warn'), API_PORT: String(apiPort), KAFKA_TOPIC_PREFIX: prefix, WEBHOOK_STRIPE_SECRET_FILE: secrets.write('whsec', SECRET), ...(poolMax === undefined ? {} : { DATABASE_POOL_MAX: String(poolMax) }) };
  // BENCH_CPU_PROFILE_DIR: the ingress writes a V8 CPU profile there when it stops (where the time goes).
  const profile = process.env['BENCH_CPU_PROFILE_DIR'] === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_CPU_PROFILE_DIR']}`];
  // BENCH_INGRESS_NODE_FLAGS: V8/Node flags for the ingress only (an A/B of e.g. --max-semi-space-size).
  const flags = (process.env['BENCH_INGRESS_NODE_FLAGS'] ?? '').split(' ').filter((flag) => flag !== '');
  // BENCH_INGRESS_ROOT: run the ingress of another checkout (an interleaved A/B against an older commit).
  const ingressRoot = process.env['BENCH_INGRESS_ROOT'] ?? ROOT_DIR;
  const child: ChildProcess = spawn(process.execPath, [...profile, ...flags, '--import', 'tsx', '--disable-warning=TimeoutNegativeWarning', join(ingressRoot, 'services', 'webhook-ingress', 'src', 'main.ts')], { cwd: ingressRoot, env, detached: true, stdio: 'ignore' });
  cleanups.push(async () => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    await new Promise((done) => (child.exitCode === null ? child.once('exit', done) : done(undefined)));
  });
  const url = `http://127.0.0.1:${apiPort}/webhooks/stripe`;
  await waitFor('the ingress to serve', async () => ((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).catch(() => undefined))?.status === 400 ? true : undefined), 60_000, 200);
  const pool = new Pool({ ...database, max: 2 });
  cleanups.push(() => pool.end());
  return { url, pool, pid: child.pid ?? -1 };
}

/**
 * An interleaved A/B of the ingress' pool size: one ingress per size (each its own database), then
 * rounds of [the ceiling, each size's saturation] so the machine's drift falls on both alike; each
 * figure is reported beside the same round's ceiling.
 */
async function poolComparison(sizes: readonly number[], rounds: number, options: { duration_s: number; connections: number }, out: string, cleanups: Cleanups): Promise<void> {
  const ingresses = new Map<number, Ingress>();
  for (const size of sizes) ingresses.set(size, await startIngress(cleanups, { poolMax: size }));
  for (const [size, ingress] of ingresses) await load(ingress, `warm-up pool ${size}`, { ...options, duration_s: 3 }, () => signed(SECRET));
  const figures: (Figures & { round: number; pool: number | 'ceiling'; ratio_to_ceiling?: number })[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    const first = ingresses.get(sizes[0] ?? 10);
    if (first === undefined) throw new Error('no ingress');
    const ceiling = await load(first, `round ${round}: refused (ceiling)`, options, () => signed('whsec_not_ours'));
    const answered = ceiling.non2xx / options.duration_s;
    figures.push({ ...ceiling, round, pool: 'ceiling' });
    const order = round % 2 === 1 ? sizes : [...sizes].reverse();
    for (const size of order) {
      const ingress = ingresses.get(size);
      if (ingress === undefined) continue;
      const stored = await load(ingress, `round ${round}: new signed events, pool ${size}`, options, () => signed(SECRET));
      figures.push({ ...stored, round, pool: size, ratio_to_ceiling: Math.round((stored.stored_per_s / answered) * 1000) / 1000 });
    }
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg(), options: { ...options, sizes, rounds }, figures }, null, 2)}\n`);
}

/**
 * Time until applied in payment: booking, payment and ledger as the platform runs them (processes,
 * e2e/support), a second ingress publishing on their topics, paced signed events at each rate
 * (intents no payment of ours names: payment takes each in, keeps it as unmatched and answers it
 * later), and for every stored event the time until payment's inbox holds it. One rate at a time,
 * each drained before the next.
 */
async function appliedScenarios(rates: readonly number[], options: { duration_s: number; connections: number }, cleanups: Cleanups): Promise<(AppliedFigures & { rate_per_s: number; answered: Figures })[]> {
  // Payment's production schedule: the harness' compressed one would check each unmatched event at the PSP many times a second.
  const platform = await startPlatformProcesses({ environment: { payment: { PAYMENT_OUTCOME_POLL_INTERVAL_MS: '1000', PAYMENT_OUTCOME_QUERY_TIME_DIVISOR: '1' } } });
  cleanups.push(() => platform.close());
  // Warm-up: the consumers joined, the paths JIT-compiled, before anything is measured.
  const warm = await startIngress(cleanups, { topicPrefix: platform.topicPrefix });
  await load(warm, 'into payment, warm-up', { ...options, duration_s: 3, rate: 100 }, () => signed(SECRET));
  await storedToApplied(warm.pool, platform.payment.pool);
  const figures: (AppliedFigures & { rate_per_s: number; answered: Figures })[] = [];
  for (const rate of rates) {
    const ingress = await startIngress(cleanups, { topicPrefix: platform.topicPrefix });
    const answered = await load(ingress, `into payment, paced`, { ...options, rate }, () => signed(SECRET));
    const applied = await storedToApplied(ingress.pool, platform.payment.pool);
    process.stdout.write(`${''.padEnd(34)} stored → applied in payment: ${applied.applied}/${applied.events} events, p50 ${applied.stored_to_applied_ms.p50} ms  p90 ${applied.stored_to_applied_ms.p90} ms  p99 ${applied.stored_to_applied_ms.p99} ms  max ${applied.stored_to_applied_ms.max} ms; drained in ${applied.drain_ms} ms\n`);
    figures.push({ ...applied, rate_per_s: rate, answered });
  }
  return figures;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rate: { type: 'string', default: '2000' }, duration: { type: 'string', default: '15' }, connections: { type: 'string', default: '32' }, pool: { type: 'string' }, 'compare-pools': { type: 'string' }, rounds: { type: 'string', default: '3' }, 'applied-rates': { type: 'string', default: '50,200' }, 'applied-duration': { type: 'string', default: '10' }, out: { type: 'string', default: 'bench/results/webhooks.json' } } });
  const options = { duration_s: Number(values.duration), connections: Number(values.connections) };
  const cleanups = new Cleanups();
  if (values['compare-pools'] !== undefined) {
    try {
      await poolComparison(values['compare-pools'].split(',').map(Number), Number(values.rounds), options, values.out === 'bench/results/webhooks.json' ? 'bench/results/webhooks-pools.json' : values.out, cleanups);
    } finally {
      await cleanups.runAll();
    }
    return;
  }
  try {
    const ingress = await startIngress(cleanups, values.pool === undefined ? {} : { poolMax: Number(values.pool) });
    // Long enough for V8 to optimise the hot paths: a first ceiling run cold measured half the CPU cost.
    await load(ingress, 'warm-up', { ...options, duration_s: 6 }, () => signed(SECRET));
    const figures = [
      await load(ingress, 'refused: bad signature (ceiling)', options, () => signed('whsec_not_ours')),
      await load(ingress, 'new signed events', options, () => signed(SECRET)),
      await load(ingress, 'new signed events', { ...options, rate: Number(values.rate) }, () => signed(SECRET)),
      await load(ingress, 'redeliveries of one event', options, () => signed(SECRET, 'evt_bench_redelivered')),
      await load(ingress, 'refused: bad signature (ceiling)', options, () => signed('whsec_not_ours')),
    ];
    const stored = await ingress.pool.query<{ events: number; deliveries: number }>('SELECT (SELECT count(*)::int FROM psp_events) AS events, (SELECT count(*)::int FROM webhook_deliveries) AS deliveries');
    const outbox = await ingress.pool.query<{ unsent: number }>('SELECT count(*)::int AS unsent FROM outbox WHERE sent_at IS NULL').catch(() => ({ rows: [{ unsent: -1 }] }));
    process.stdout.write(`stored: ${JSON.stringify(stored.rows[0])}, outbox rows not yet published at the end: ${String(outbox.rows[0]?.unsent)}\n`);
    // --applied-rates '': the HTTP scenarios only.
    const appliedRates = values['applied-rates'] === '' ? [] : values['applied-rates'].split(',').map(Number);
    const applied = appliedRates.length === 0 ? [] : await appliedScenarios(appliedRates, { ...options, duration_s: Number(values['applied-duration']) }, cleanups);
    const run = { at: new Date().toISOString(), cpus: cpus().length, loadavg: loadavg(), options: { ...options, rate: Number(values.rate) }, figures, stored: stored.rows[0], outboxUnsentAtEnd: outbox.rows[0]?.unsent, applied };
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, `${JSON.stringify(run, null, 2)}\n`);
  } finally {
    await cleanups.runAll();
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`bench:webhooks failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
