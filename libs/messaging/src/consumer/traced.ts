import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { extractTraceContext } from '../tracing';
import { errorClassOf } from './dead-letter';
import type { ApplyMessage } from './pipeline';

/**
 * Tracing middleware: each message is handled in a CONSUMER span that continues the producer's
 * trace (W3C traceparent in the headers) and is the parent of everything the handler does. The
 * span ends when the sub-batch's transaction does, marked when it rolled back.
 */
export function traced(consumerGroup: string, next: ApplyMessage): ApplyMessage {
  const tracer = trace.getTracer('@txn/messaging');
  return async (scope, item) => {
    const { record, message } = item;
    const parent = extractTraceContext(record.headers);
    const span = tracer.startSpan(
      `handle ${record.topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': record.topic,
          'messaging.destination.partition.id': String(record.partition),
          'messaging.kafka.offset': Number(record.offset),
          'messaging.consumer.group.name': consumerGroup,
          'messaging.message.id': message.eventId,
          'txn.event_type': message.eventType,
        },
      },
      parent,
    );
    scope.onSettled((committed) => {
      if (!committed) span.setAttribute('txn.transaction_rolled_back', true);
      span.end();
    });
    try {
      const applied = await context.with(trace.setSpan(parent, span), () => next(scope, item));
      span.setAttribute('txn.outcome', applied.outcome);
      return { ...applied, traceId: span.spanContext().traceId };
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorClassOf(error) });
      throw error;
    }
  };
}
