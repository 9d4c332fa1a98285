import { SpanKind, trace } from '@opentelemetry/api';
import { recordSpans } from '@txn/testing';
import { appendCommitted, OutboxHarness, testEvent, waitForDelivery } from './support';

describe('outbox relay: the trace continues from the writer through the relay to the consumer', () => {
  let harness: OutboxHarness;
  let tracing: ReturnType<typeof recordSpans>;
  const finishedSpans = (): ReturnType<typeof tracing.exporter.getFinishedSpans> => tracing.exporter.getFinishedSpans();

  beforeAll(async () => {
    tracing = recordSpans();
    harness = await OutboxHarness.create('outbox-trace');
  });

  afterAll(async () => {
    await harness?.dispose();
    tracing.uninstall();
  });

  it('parents the publish span on the span active when the row was written, and sends its context', async () => {
    const { database, pool } = await harness.database('trace');
    const topic = await harness.topic('trace');
    const traced = testEvent(topic, 'booking-1', 0);
    const untraced = testEvent(topic, 'booking-2', 0);

    const writer = trace.getTracer('test');
    const writeSpan = await writer.startActiveSpan('hold booking', async (span) => {
      await appendCommitted(pool, [traced]);
      span.end();
      return span;
    });
    await appendCommitted(pool, [untraced]); // no active span: the relay starts a new trace

    const relay = harness.relay(database);
    expect(await relay.runOnce()).toMatchObject({ outcome: 'sent', published: 2 });

    const publishSpans = finishedSpans().filter((s) => s.name === `publish ${topic}`);
    expect(publishSpans).toHaveLength(2);
    const tracedSpan = publishSpans.find((s) => s.attributes['messaging.message.id'] === traced.eventId);
    const untracedSpan = publishSpans.find((s) => s.attributes['messaging.message.id'] === untraced.eventId);
    expect(tracedSpan?.kind).toBe(SpanKind.PRODUCER);
    expect(tracedSpan?.spanContext().traceId).toBe(writeSpan.spanContext().traceId);
    expect(tracedSpan?.parentSpanContext?.spanId).toBe(writeSpan.spanContext().spanId);
    expect(untracedSpan?.parentSpanContext).toBeUndefined();
    expect(untracedSpan?.spanContext().traceId).not.toBe(writeSpan.spanContext().traceId);

    // The consumer continues from the publish span: its traceparent names that span.
    const sink = await harness.consume(topic);
    await waitForDelivery(sink, [traced, untraced], 'both events');
    const delivered = sink.find((d) => d.eventId === traced.eventId);
    expect(delivered?.headers.traceparent).toBe(`00-${writeSpan.spanContext().traceId}-${tracedSpan?.spanContext().spanId}-01`);
  });
});
