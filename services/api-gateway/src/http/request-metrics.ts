import type { NextFunction, Request, Response } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Latency buckets around the API's objective (p99 ≤ 25 ms is the benchmark's goal; the SLO is 300 ms). */
const BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.3, 0.5, 1, 2.5, 5, 10];

/**
 * The API's SLIs (docs/operations/slos.md): every request counted by method, route template (never
 * the raw path: ids would explode the series) and status code, with its duration. Long-polls
 * (`Prefer: wait`) are counted apart, so a deliberate 30 s wait is not a slow request.
 */
export function requestMetrics(registry: Registry): (request: Request, response: Response, next: NextFunction) => void {
  const requests = new Counter({ name: 'gateway_http_requests_total', help: 'API requests answered, by method, route template and status code.', labelNames: ['method', 'route', 'code'], registers: [registry] });
  const duration = new Histogram({ name: 'gateway_http_request_duration_seconds', help: 'API request duration, by method, route template and whether the client asked to wait (Prefer: wait).', labelNames: ['method', 'route', 'waited'], buckets: BUCKETS_S, registers: [registry] });
  return (request, response, next) => {
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      // Nest fills request.route once a controller matched; unmatched paths share one label.
      const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
      const waited = /\bwait=\d+/.test(String(request.headers['prefer'] ?? '')) ? 'yes' : 'no';
      requests.inc({ method: request.method, route, code: String(response.statusCode) });
      duration.observe({ method: request.method, route, waited }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
