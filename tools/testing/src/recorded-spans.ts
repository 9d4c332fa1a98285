import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncHooksContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * A real OpenTelemetry SDK for a test suite: W3C propagation, async context, and every finished
 * span kept in memory. Services register the same three globals at start-up; without them the
 * API is a no-op and no trace context would be captured or continued.
 */
export function recordSpans(): { exporter: InMemorySpanExporter; uninstall(): void } {
  const exporter = new InMemorySpanExporter();
  const contextManager = new AsyncHooksContextManager();
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  return {
    exporter,
    uninstall() {
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
