/** Kafka header names every platform message carries (values are UTF-8 strings). */
export const MESSAGE_HEADERS = {
  eventId: 'event-id',
  eventType: 'event-type',
  correlationId: 'correlation-id',
  causationId: 'causation-id',
  producer: 'producer',
  /** W3C trace context, captured when the outbox row was written. */
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;
