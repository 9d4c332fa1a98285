import type { IncomingMessage } from 'node:http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

/** The health server's routes: probed every few seconds by the supervisor and Prometheus, never worth a trace. */
const UNTRACED_PATHS = ['/health', '/metrics'];

/** Whether an incoming request is a probe or a scrape rather than work. */
export function isUntracedRequest(request: Pick<IncomingMessage, 'url'>): boolean {
  const path = (request.url ?? '').split('?')[0] ?? '';
  return UNTRACED_PATHS.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * The OpenTelemetry instrumentations of the HTTP server and client (the gateway's requests, the PSP
 * calls, outbound webhooks) and of `pg` (every statement a handler or a request runs). They patch
 * the modules as they are loaded, so this must run before anything requires `pg` or `http`: the
 * services' start command loads `instrument.ts` with `--import` for that. The spans go to the
 * tracer provider `installTelemetry` registers later (the instrumentations use the global proxy).
 *
 * Only work is traced: a statement or an outgoing call without a parent span (the relays' polls, a
 * sweeper's tick, the registry client) makes no span, and probes and scrapes are ignored. Statement
 * parameters are never recorded (enhancedDatabaseReporting off): they hold personal data.
 */
export function registerServiceInstrumentations(): () => void {
  return registerInstrumentations({
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: isUntracedRequest, requireParentforOutgoingSpans: true }),
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
    ],
  });
}
