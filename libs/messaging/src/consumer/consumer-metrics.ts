import { Counter, Histogram, type Registry } from 'prom-client';
import type { MessageOutcome } from './inbox';

/** Handle latency buckets, seconds: a handler inside one sub-batch transaction takes ms, not s. */
const HANDLE_DURATION_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface ConsumerMetrics {
  outcome(topic: string, outcome: MessageOutcome, duration_ms?: number): void;
  handlerFailure(topic: string, errorClass: string): void;
}

function counter(registry: Registry, name: string, help: string, labelNames: readonly string[]): Counter<string> {
  const existing = registry.getSingleMetric(name);
  if (existing !== undefined) return existing as Counter<string>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

function histogram(registry: Registry, name: string, help: string, labelNames: readonly string[]): Histogram<string> {
  const existing = registry.getSingleMetric(name);
  if (existing !== undefined) return existing as Histogram<string>;
  return new Histogram({ name, help, labelNames, buckets: HANDLE_DURATION_BUCKETS_S, registers: [registry] });
}

/** Metrics of one consumer group; several groups in one process share the metric objects. */
export function consumerMetrics(registry: Registry, consumerGroup: string): ConsumerMetrics {
  const messages = counter(registry, 'messaging_consumer_messages_total', 'Messages handled, by topic, consumer group and outcome.', ['topic', 'consumer_group', 'outcome']);
  const failures = counter(
    registry,
    'messaging_consumer_handler_failures_total',
    'Failed attempts to apply a message (each retry counts), by error class.',
    ['topic', 'consumer_group', 'error_class'],
  );
  const duration = histogram(registry, 'messaging_consumer_handle_duration_seconds', 'Time from the start of a message’s inbox check to the end of its handler.', [
    'topic',
    'consumer_group',
    'outcome',
  ]);
  return {
    outcome(topic, outcome, duration_ms) {
      messages.inc({ topic, consumer_group: consumerGroup, outcome });
      if (duration_ms !== undefined) duration.observe({ topic, consumer_group: consumerGroup, outcome }, duration_ms / 1000);
    },
    handlerFailure(topic, errorClass) {
      failures.inc({ topic, consumer_group: consumerGroup, error_class: errorClass });
    },
  };
}
