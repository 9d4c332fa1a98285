import { context, propagation, ROOT_CONTEXT, type Context } from '@opentelemetry/api';

/** W3C trace context as stored in an outbox row and carried in Kafka headers. */
export interface StoredTraceContext {
  readonly traceparent: string | null;
  readonly tracestate: string | null;
}

/**
 * The active context as W3C headers, through the globally registered propagator (the service's
 * observability set-up registers W3CTraceContextPropagator; without one nothing is captured and
 * the relay's spans start new traces). Kept here rather than in @txn/messaging, whose owner may
 * add the consumer-side twin.
 */
export function captureTraceContext(active: Context = context.active()): StoredTraceContext {
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  return { traceparent: carrier.traceparent ?? null, tracestate: carrier.tracestate ?? null };
}

/** The context a stored row was written in, to parent the relay's publish span. */
export function restoreTraceContext(stored: StoredTraceContext): Context {
  const carrier: Record<string, string> = {};
  if (stored.traceparent !== null) carrier.traceparent = stored.traceparent;
  if (stored.tracestate !== null) carrier.tracestate = stored.tracestate;
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/** Headers that carry `active` (e.g. the publish span) to the consumer. */
export function traceHeaders(active: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  return carrier;
}
