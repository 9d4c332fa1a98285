import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { isUntracedRequest } from './instrumentation';
import { createServiceLogger } from './logger';
import { installTelemetry, type InstalledTelemetry } from './telemetry';

function lines(): { stream: Writable; written: Record<string, unknown>[] } {
  const written: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') written.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { stream, written };
}

describe('telemetry', () => {
  let installed: InstalledTelemetry;
  const exporter = new InMemorySpanExporter();

  beforeAll(() => {
    installed = installTelemetry({ serviceName: 'unit-service', spanProcessors: [new SimpleSpanProcessor(exporter)] });
  });

  afterAll(async () => {
    await installed.uninstall();
  });

  it('names the service on every span (the resource backends group by)', () => {
    trace.getTracer('unit').startSpan('work').end();
    const [span] = exporter.getFinishedSpans();
    expect(span?.resource.attributes['service.name']).toBe('unit-service');
  });

  it("writes the active span's trace and span ids on a log line, none outside a span, and a line's own traceId wins", () => {
    const { stream, written } = lines();
    const logger = createServiceLogger({ serviceName: 'unit-service', level: 'info', destination: stream });
    logger.info('outside');
    trace.getTracer('unit').startActiveSpan('request', (span) => {
      logger.info('inside');
      logger.info({ traceId: 'f'.repeat(32) }, 'own trace id');
      const { traceId, spanId } = span.spanContext();
      span.end();
      expect(written[1]).toMatchObject({ msg: 'inside', traceId, spanId });
      expect(written[2]).toMatchObject({ msg: 'own trace id', traceId: 'f'.repeat(32) });
    });
    expect(written[0]).toMatchObject({ msg: 'outside' });
    expect(written[0]).not.toHaveProperty('traceId');
  });
});

describe('isUntracedRequest', () => {
  it.each([
    ['/health/ready', true],
    ['/health', true],
    ['/metrics', true],
    ['/metrics?x=1', true],
    ['/v1/bookings', false],
    ['/healthy-bookings', false],
    [undefined, false],
  ])('%s → %s', (url, untraced) => {
    expect(isUntracedRequest({ url })).toBe(untraced);
  });
});
