import { context, propagation, ROOT_CONTEXT, type Context, type TextMapGetter } from '@opentelemetry/api';
import { MESSAGE_HEADERS } from './headers';
import type { RawHeaders } from './ports';

/** The W3C trace context headers carried by every message (string values). */
export interface TraceContextHeaders {
  traceparent?: string;
  tracestate?: string;
}

/**
 * The active trace context as `traceparent` / `tracestate` header values, through the globally
 * registered propagator (W3C in the platform). The outbox calls it when it writes a row, so the
 * trace continues across the relay. Empty when there is no active span or no propagator.
 */
export function injectTraceContext(from: Context = context.active()): TraceContextHeaders {
  const carrier: Record<string, string> = {};
  propagation.inject(from, carrier);
  const result: TraceContextHeaders = {};
  const traceparent = carrier[MESSAGE_HEADERS.traceparent];
  const tracestate = carrier[MESSAGE_HEADERS.tracestate];
  if (traceparent !== undefined) result.traceparent = traceparent;
  if (tracestate !== undefined) result.tracestate = tracestate;
  return result;
}

/** First value of a header as UTF-8 text. */
export function headerText(headers: RawHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? (value[0] as Buffer | string | undefined) : (value as Buffer | string | undefined);
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

const rawHeadersGetter: TextMapGetter<RawHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => headerText(carrier, key),
};

/** The producer's trace context from a message's headers (ROOT_CONTEXT-based: no ambient span leaks in). */
export function extractTraceContext(headers: RawHeaders | Readonly<Record<string, string>>): Context {
  return propagation.extract(ROOT_CONTEXT, headers as RawHeaders, rawHeadersGetter);
}
