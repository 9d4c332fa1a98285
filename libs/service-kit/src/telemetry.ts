import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Registers the OpenTelemetry globals the backbone relies on: W3C trace-context propagation (the
 * `traceparent` header and the outbox's stored context), an async context manager (the active
 * span follows awaits), and a tracer provider, so spans get real ids and a trace continues from
 * a consumed message to the events it causes. No exporter is installed here: none is in the
 * dependencies yet; pass `spanProcessors` (e.g. an OTLP batch processor) when there is.
 */
export function installTelemetry(options: { readonly spanProcessors?: readonly SpanProcessor[] } = {}): { uninstall(): void } {
  const contextManager = new AsyncLocalStorageContextManager();
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const provider = new BasicTracerProvider({ spanProcessors: [...(options.spanProcessors ?? [])] });
  trace.setGlobalTracerProvider(provider);
  return {
    uninstall() {
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
