import type { Logger } from 'pino';
import type { ConsumedRecord } from '../ports';
import { headerText } from '../tracing';
import type { ConsumerMetrics } from './consumer-metrics';
import { errorClassOf } from './dead-letter';
import type { MessageOutcome } from './inbox';
import type { Applied, DecodedItem, IgnoredItem, InboxMessage, UndecodableItem } from './pipeline';

function recordFields(record: ConsumedRecord): Record<string, unknown> {
  return { topic: record.topic, partition: record.partition, offset: record.offset };
}

function messageFields(message: InboxMessage): Record<string, unknown> {
  return { eventId: message.eventId, eventType: message.eventType, correlationId: message.correlationId };
}

/** Every outcome the runtime reports, counted and logged in one place (JSON, with the message's ids). */
export interface ConsumerReport {
  applied(applied: Applied): void;
  ignored(item: IgnoredItem): void;
  failed(item: DecodedItem, error: unknown, attempt: number, maxAttempts: number): void;
  subBatchRolledBack(last: ConsumedRecord, messages: number, error: unknown): void;
  deadLettered(item: DecodedItem | UndecodableItem, error: unknown, attempts: number): void;
  registryUnavailable(record: ConsumedRecord, attempt: number, error: Error): void;
}

export function consumerReport(options: { readonly logger: Logger; readonly metrics: ConsumerMetrics; readonly onIgnored?: (message: InboxMessage) => void }): ConsumerReport {
  const { logger, metrics } = options;
  return {
    applied({ item, outcome, duration_ms, traceId }) {
      metrics.outcome(item.record.topic, outcome, duration_ms);
      logger.info({ ...recordFields(item.record), ...messageFields(item.message), traceId, outcome, duration_ms: Math.round(duration_ms * 1000) / 1000 }, 'message handled');
    },
    ignored(item) {
      options.onIgnored?.(item.message);
      logger.debug({ ...recordFields(item.record), ...messageFields(item.message) }, 'message ignored: no handler takes its event type');
    },
    failed(item, error, attempt, maxAttempts) {
      metrics.handlerFailure(item.record.topic, errorClassOf(error));
      logger.warn({ ...recordFields(item.record), ...messageFields(item.message), attempt, maxAttempts, errorClass: errorClassOf(error) }, 'message handling failed');
    },
    subBatchRolledBack(last, messages, error) {
      metrics.handlerFailure(last.topic, errorClassOf(error));
      logger.warn({ topic: last.topic, partition: last.partition, messages, errorClass: errorClassOf(error) }, 'sub-batch rolled back; applying one message per transaction');
    },
    deadLettered(item, error, attempts) {
      metrics.outcome(item.record.topic, 'dead_lettered' satisfies MessageOutcome);
      const ids = item.kind === 'decoded' ? messageFields(item.message) : { eventId: headerText(item.record.headers, 'event-id') };
      const traceId = headerText(item.record.headers, 'traceparent')?.split('-')[1];
      logger.warn({ ...recordFields(item.record), ...ids, traceId, outcome: 'dead_lettered', attempts, errorClass: errorClassOf(error) }, 'message dead-lettered');
    },
    registryUnavailable(record, attempt, error) {
      logger.warn({ ...recordFields(record), attempt, errorClass: error.name }, 'schema registry unavailable while decoding');
    },
  };
}
