// API benchmark: the api-gateway as main.ts starts it (on a private database and private topics of
// the real PostgreSQL and Kafka; booking, payment and ledger are not running: this measures the
// gateway's own path — authenticate, claim the Idempotency-Key, validate, write the read-model row
// and the outbox row, record the response — and its relay to Kafka), loaded by autocannon on
// loopback in a worker thread. Needs `./platform up` (infrastructure only).
//
//   npm run bench:api -- [--rate 500] [--duration 15] [--connections 64] [--keys 16] [--rate-limit on|off]
//                        [--out bench/results/api.json]
//
// Scenarios, in order: GET /problems at saturation (the ceiling: no auth, no database, the
// framework alone), GET /v1/me at saturation (authentication: key lookup + cached scrypt), then
// POST /v1/bookings (a unique Idempotency-Key per request) at --rate and at saturation, GET
// /v1/bookings/{id} at --rate and at saturation, and the ceiling again (the machine is shared:
// read every figure beside the same run's ceiling). A route the gateway does not serve yet is
// skipped and said so. Figures and where the time goes: bench/api/README.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_MERCHANT, startBenchGateway, type BenchGateway } from './gateway';
import { printFigures, runScenario, type Figures, type Scenario } from './scenarios';

interface Options {
  readonly rate_per_s: number;
  readonly duration_s: number;
  readonly connections: number;
  readonly keys: number;
  readonly rateLimit: boolean;
  readonly out: string;
}

function parseOptions(): Options {
  const { values } = parseArgs({ options: { rate: { type: 'string', default: '500' }, duration: { type: 'string', default: '15' }, connections: { type: 'string', default: '64' }, keys: { type: 'string', default: '16' }, 'rate-limit': { type: 'string', default: 'on' }, out: { type: 'string', default: 'bench/results/api.json' } } });
  const integer = (name: string, text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be an integer ≥ 1, got ${text}`);
    return value;
  };
  return { rate_per_s: integer('rate', values.rate), duration_s: integer('duration', values.duration), connections: integer('connections', values.connections), keys: integer('keys', values.keys), rateLimit: values['rate-limit'] !== 'off', out: values.out };
}

const BOOKING_BODY = JSON.stringify({ resourceId: 'room-1', slot: { startsAt: '2027-03-01T10:00:00Z', endsAt: '2027-03-01T11:00:00Z' }, price: { amountMinor: 1250, currency: 'EUR' }, customerId: 'customer-1' });

/** Whether the gateway serves the booking routes yet (another part of the work): asked of the routes themselves, not of the document. */
async function servedOperations(baseUrl: string, apiKey: string): Promise<{ createBooking: boolean; getBooking: boolean }> {
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': `probe-${Date.now()}` };
  const create = await fetch(`${baseUrl}/v1/bookings`, { method: 'POST', headers, body: '{}' });
  const unknownRoute = async (response: Response): Promise<boolean> => response.status === 404 && ((await response.json()) as { detail?: string }).detail?.startsWith('No resource at') === true;
  const get = await fetch(`${baseUrl}/v1/bookings/00000000-0000-4000-8000-000000000000`, { headers });
  return { createBooking: !(await unknownRoute(create)), getBooking: !(await unknownRoute(get)) };
}

/** A booking the POST scenario made (the gateway writes its REQUESTED row as it accepts the command). */
async function someBookingId(gateway: BenchGateway): Promise<string | undefined> {
  const found = await gateway.pool.query<{ booking_id: string }>('SELECT booking_id FROM booking_views WHERE merchant_id = $1 LIMIT 1', [BENCH_MERCHANT]);
  return found.rows[0]?.booking_id;
}

function scenarios(gateway: BenchGateway, options: Options): { ceiling: Scenario; me: Scenario; create: (rate?: number) => Scenario; get: (id: string, rate?: number) => Scenario } {
  const keys = gateway.apiKeys;
  const base = { connections: options.connections, duration_s: options.duration_s };
  const paced = (rate: number | undefined): { rate_per_s?: number } => (rate === undefined ? {} : { rate_per_s: rate });
  return {
    ceiling: { ...base, name: 'GET /problems (ceiling)', method: 'GET', path: '/problems', headers: {}, keys: [] },
    me: { ...base, name: 'GET /v1/me', method: 'GET', path: '/v1/me', headers: {}, keys },
    create: (rate) => ({ ...base, ...paced(rate), name: 'POST /v1/bookings', method: 'POST', path: '/v1/bookings', headers: { 'content-type': 'application/json', 'idempotency-key': 'bench-[<id>]' }, keys, body: BOOKING_BODY }),
    get: (id, rate) => ({ ...base, ...paced(rate), name: 'GET /v1/bookings/{id}', method: 'GET', path: `/v1/bookings/${id}`, headers: {}, keys }),
  };
}

async function runAll(gateway: BenchGateway, options: Options): Promise<{ figures: Figures[]; skipped: string[] }> {
  const figures: Figures[] = [];
  const skipped: string[] = [];
  const plan = scenarios(gateway, options);
  const run = async (scenario: Scenario): Promise<void> => {
    const result = await runScenario(gateway.baseUrl, scenario);
    printFigures(result, figures[0]);
    figures.push(result);
  };
  // Warm-up: each key's scrypt verification once (then remembered for 5 min), JIT and pools.
  for (const key of gateway.apiKeys) await fetch(`${gateway.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
  await runScenario(gateway.baseUrl, { ...plan.me, duration_s: 3 });
  const alone = (scenario: Scenario): Scenario => ({ ...scenario, name: `${scenario.name} (one at a time)`, connections: 1, duration_s: 5 });
  await run(plan.ceiling);
  await run(alone(plan.ceiling));
  await run(alone(plan.me));
  await run(plan.me);
  const served = await servedOperations(gateway.baseUrl, gateway.apiKeys[0] ?? '');
  if (served.createBooking) {
    await run(alone(plan.create()));
    await run(plan.create(options.rate_per_s));
    await run(plan.create());
  } else skipped.push('POST /v1/bookings (not served by this gateway yet)');
  const bookingId = served.getBooking ? await someBookingId(gateway) : undefined;
  if (bookingId !== undefined) {
    await run(alone(plan.get(bookingId)));
    await run(plan.get(bookingId, options.rate_per_s));
    await run(plan.get(bookingId));
  } else skipped.push('GET /v1/bookings/{id} (not served yet, or no booking made)');
  await run(plan.ceiling);
  for (const line of skipped) process.stdout.write(`skipped: ${line}\n`);
  return { figures, skipped };
}

async function main(): Promise<void> {
  const options = parseOptions();
  const gateway = await startBenchGateway(options.keys, options.rateLimit);
  try {
    const startedAt = new Date().toISOString();
    const { figures, skipped } = await runAll(gateway, options);
    const report = { bench: 'api', startedAt, options, machine: { cpus: cpus().length, loadavg: loadavg() }, figures, skipped };
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`written: ${options.out}\n`);
  } finally {
    await gateway.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:api failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
