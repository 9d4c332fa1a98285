import autocannon from 'autocannon';

// One autocannon run and the figures we keep of it. The load runs in a worker thread
// (`workers: 1`), so the gateway's event loop in the main thread is the gateway's alone.

export interface Scenario {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Credentials sent in turn (`authorization: Bearer <key>`), one per request, cycling; none: unauthenticated. */
  readonly keys: readonly string[];
  readonly body?: string;
  /** Requests per second across all connections; undefined: as fast as the connections go (saturation). */
  readonly rate_per_s?: number;
  readonly connections: number;
  readonly duration_s: number;
}

export interface Figures {
  readonly scenario: string;
  readonly rate_per_s: number | 'saturation';
  readonly connections: number;
  readonly duration_s: number;
  /** 2xx answers per second over the run (accepted requests/s). */
  readonly accepted_per_s: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly latency_ms: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
}

/** `[<id>]` in a header or the body becomes a fresh id per request (autocannon's idReplacement): a unique Idempotency-Key each. */
export async function runScenario(baseUrl: string, scenario: Scenario): Promise<Figures> {
  const result = await autocannon({
    url: `${baseUrl}${scenario.path}`,
    method: scenario.method,
    headers: { ...scenario.headers },
    ...(scenario.body === undefined ? {} : { body: scenario.body }),
    ...(scenario.keys.length === 0 ? {} : { requests: scenario.keys.map((key) => ({ method: scenario.method, path: scenario.path, headers: { ...scenario.headers, authorization: `Bearer ${key}` }, ...(scenario.body === undefined ? {} : { body: scenario.body }) })) }),
    connections: scenario.connections,
    duration: scenario.duration_s,
    ...(scenario.rate_per_s === undefined ? {} : { overallRate: scenario.rate_per_s }),
    idReplacement: true,
    workers: 1,
    timeout: 10,
  });
  return {
    scenario: scenario.name,
    rate_per_s: scenario.rate_per_s ?? 'saturation',
    connections: scenario.connections,
    duration_s: scenario.duration_s,
    accepted_per_s: Math.round(result['2xx'] / scenario.duration_s),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latency_ms: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
  };
}

export function printFigures(figures: Figures, ceiling: Figures | undefined): void {
  const ratio = ceiling === undefined || ceiling.accepted_per_s === 0 ? '' : `  (${((100 * figures.accepted_per_s) / ceiling.accepted_per_s).toFixed(0)}% of ${ceiling.scenario})`;
  const rate = figures.rate_per_s === 'saturation' ? 'saturation' : `${figures.rate_per_s}/s`;
  process.stdout.write(
    `${figures.scenario.padEnd(52)} ${rate.padStart(10)}  accepted ${String(figures.accepted_per_s).padStart(6)}/s  p50 ${figures.latency_ms.p50} ms  p99 ${figures.latency_ms.p99} ms  max ${figures.latency_ms.max} ms  non-2xx ${figures.non2xx}  errors ${figures.errors + figures.timeouts}${ratio}\n`,
  );
}
