import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Spans batched before an export; a full queue drops the newest (the SDK's policy), never blocks a handler. */
const EXPORT_QUEUE_SPANS = 4_096;
const EXPORT_BATCH_SPANS = 512;
/** Latency of a trace reaching the backend at low load; a batch leaves sooner when full. */
const EXPORT_DELAY_MS = 1_000;
const EXPORT_TIMEOUT_MS = 10_000;
/** What shutdown waits for the last batch before the process goes (inside the service's 25 s stop budget). */
const FLUSH_TIMEOUT_MS = 5_000;

export interface TelemetryOptions {
  /** The `service.name` resource attribute: how the trace backend names this process's spans. */
  readonly serviceName?: string;
  /** An OTLP/HTTP traces endpoint (`http://127.0.0.1:4318/v1/traces`): spans are batched and sent there. */
  readonly tracesEndpoint?: string;
  /** Further processors (tests record spans in memory). */
  readonly spanProcessors?: readonly SpanProcessor[];
}

export interface InstalledTelemetry {
  /** Sends what is still batched (bounded), then unregisters the globals. */
  uninstall(): Promise<void>;
}

function otlpProcessor(url: string): SpanProcessor {
  return new BatchSpanProcessor(new OTLPTraceExporter({ url, timeoutMillis: EXPORT_TIMEOUT_MS }), {
    maxQueueSize: EXPORT_QUEUE_SPANS,
    maxExportBatchSize: EXPORT_BATCH_SPANS,
    scheduledDelayMillis: EXPORT_DELAY_MS,
    exportTimeoutMillis: EXPORT_TIMEOUT_MS,
  });
}

/**
 * Registers the OpenTelemetry globals the platform relies on: W3C trace-context propagation (the
 * `traceparent` header and the outbox's stored context), an async context manager (the active
 * span follows awaits), and a tracer provider, so spans get real ids and a trace continues from an
 * HTTP request or a consumed message to the events it causes. With a traces endpoint the spans are
 * exported over OTLP/HTTP (to Jaeger locally, docs/operations/tracing.md); without one they exist
 * only for the ids they lend to messages and log lines. The HTTP and PostgreSQL spans come from the
 * instrumentations registered before the service's modules load (instrumentation.ts).
 */
export function installTelemetry(options: TelemetryOptions = {}): InstalledTelemetry {
  const contextManager = new AsyncLocalStorageContextManager();
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const spanProcessors = [...(options.tracesEndpoint === undefined ? [] : [otlpProcessor(options.tracesEndpoint)]), ...(options.spanProcessors ?? [])];
  const provider = new BasicTracerProvider({
    // The semantic conventions' service.name: the one resource attribute every backend groups by.
    ...(options.serviceName === undefined ? {} : { resource: resourceFromAttributes({ 'service.name': options.serviceName }) }),
    spanProcessors,
  });
  trace.setGlobalTracerProvider(provider);
  return {
    async uninstall() {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, FLUSH_TIMEOUT_MS);
      });
      // A backend that is down must not hold the shutdown: what it did not take is lost, as a crash would lose it.
      await Promise.race([provider.shutdown().catch(() => undefined), bound]);
      clearTimeout(timer);
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
