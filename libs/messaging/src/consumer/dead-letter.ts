import type { ConsumedRecord, RawHeaders, RawRecord, TopicSpec } from '../ports';
import { headerText } from '../tracing';

/**
 * Headers added to a parked message. The original key, value and headers travel unchanged next
 * to them, so a replay re-publishes exactly what the producer wrote.
 */
export const DEAD_LETTER_HEADERS = {
  originalTopic: 'x-dlq-original-topic',
  originalPartition: 'x-dlq-original-partition',
  originalOffset: 'x-dlq-original-offset',
  consumerGroup: 'x-dlq-consumer-group',
  attempts: 'x-dlq-attempts',
  firstFailureAt: 'x-dlq-first-failure-at',
  lastFailureAt: 'x-dlq-last-failure-at',
  errorClass: 'x-dlq-error-class',
  errorMessage: 'x-dlq-error-message',
  /** `undecodable` (parked at once) or `handler-failed` (parked after the retries). */
  reason: 'x-dlq-reason',
} as const;

/** Added by a replay: `<dlq topic>:<partition>:<offset>` of the parked copy. */
export const REPLAYED_FROM_HEADER = 'x-replayed-from';

export type DeadLetterReason = 'undecodable' | 'handler-failed';

/**
 * Dead-letter topics have one partition: parked messages are rare, one partition keeps them in
 * the order they were parked, and an offset alone names one (`dlq show <topic> --offset N`).
 */
export const DEAD_LETTER_PARTITIONS = 1;
/** Long enough for a parked message to be noticed, understood and replayed after a holiday. */
export const DEAD_LETTER_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
/** Error messages can be long (stack-like text); the header keeps the start. */
export const MAX_ERROR_MESSAGE_CHARS = 2_000;

export function deadLetterTopicOf(topic: string, consumerGroup: string): string {
  return `${topic}.${consumerGroup}.dlq`;
}

/**
 * The topic and group a dead-letter topic parks for, read back from its name. Topics end in
 * their version (`<domain>.<kind>.v<N>`; a test suite's copy `test.<scope>.<domain>-<kind>-v<N>`),
 * which is where the group begins; undefined for a name not of that form.
 */
export function parseDeadLetterTopic(deadLetterTopic: string): { readonly topic: string; readonly consumerGroup: string } | undefined {
  const match = /^(.+?[.-]v\d+)\.(.+)\.dlq$/.exec(deadLetterTopic);
  return match === null ? undefined : { topic: match[1] as string, consumerGroup: match[2] as string };
}

export function deadLetterTopicSpec(topic: string, consumerGroup: string, retention_ms = DEAD_LETTER_RETENTION_MS): TopicSpec {
  return {
    topic: deadLetterTopicOf(topic, consumerGroup),
    numPartitions: DEAD_LETTER_PARTITIONS,
    config: { 'retention.ms': String(retention_ms), 'cleanup.policy': 'delete' },
  };
}

export interface FailureRecord {
  readonly reason: DeadLetterReason;
  readonly attempts: number;
  readonly firstFailureAt: Date;
  readonly lastFailureAt: Date;
  readonly error: unknown;
}

export function errorClassOf(error: unknown): string {
  if (error instanceof Error) return error.name !== 'Error' ? error.name : error.constructor.name;
  return typeof error;
}

function errorMessageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > MAX_ERROR_MESSAGE_CHARS ? `${text.slice(0, MAX_ERROR_MESSAGE_CHARS)}…` : text;
}

function isDeadLetterHeader(name: string): boolean {
  return name.startsWith('x-dlq-');
}

/** The parked copy of `record`: original key, value and headers, plus why and where it failed. */
export function deadLetterRecord(record: ConsumedRecord, consumerGroup: string, failure: FailureRecord): RawRecord {
  const original = Object.fromEntries(Object.entries(record.headers).filter(([name]) => !isDeadLetterHeader(name)));
  return {
    topic: deadLetterTopicOf(record.topic, consumerGroup),
    key: record.key,
    value: record.value,
    headers: {
      ...original,
      [DEAD_LETTER_HEADERS.originalTopic]: record.topic,
      [DEAD_LETTER_HEADERS.originalPartition]: String(record.partition),
      [DEAD_LETTER_HEADERS.originalOffset]: record.offset,
      [DEAD_LETTER_HEADERS.consumerGroup]: consumerGroup,
      [DEAD_LETTER_HEADERS.attempts]: String(failure.attempts),
      [DEAD_LETTER_HEADERS.firstFailureAt]: failure.firstFailureAt.toISOString(),
      [DEAD_LETTER_HEADERS.lastFailureAt]: failure.lastFailureAt.toISOString(),
      [DEAD_LETTER_HEADERS.errorClass]: errorClassOf(failure.error),
      [DEAD_LETTER_HEADERS.errorMessage]: errorMessageOf(failure.error),
      [DEAD_LETTER_HEADERS.reason]: failure.reason,
    },
  };
}

/** What a parked message says about itself (read from its headers). */
export interface DeadLetterInfo {
  readonly originalTopic: string;
  readonly originalPartition: number;
  readonly originalOffset: string;
  readonly consumerGroup: string;
  readonly attempts: number;
  readonly firstFailureAt: string;
  readonly lastFailureAt: string;
  readonly errorClass: string;
  readonly errorMessage: string;
  readonly reason: string;
}

export function readDeadLetterInfo(headers: RawHeaders): DeadLetterInfo | undefined {
  const text = (name: string): string => headerText(headers, name) ?? '';
  const originalTopic = headerText(headers, DEAD_LETTER_HEADERS.originalTopic);
  if (originalTopic === undefined) return undefined;
  return {
    originalTopic,
    originalPartition: Number(text(DEAD_LETTER_HEADERS.originalPartition)),
    originalOffset: text(DEAD_LETTER_HEADERS.originalOffset),
    consumerGroup: text(DEAD_LETTER_HEADERS.consumerGroup),
    attempts: Number(text(DEAD_LETTER_HEADERS.attempts)),
    firstFailureAt: text(DEAD_LETTER_HEADERS.firstFailureAt),
    lastFailureAt: text(DEAD_LETTER_HEADERS.lastFailureAt),
    errorClass: text(DEAD_LETTER_HEADERS.errorClass),
    errorMessage: text(DEAD_LETTER_HEADERS.errorMessage),
    reason: text(DEAD_LETTER_HEADERS.reason),
  };
}

/** The record a replay publishes: the original, back on its topic, marked with where it came from. */
export function replayRecord(parked: ConsumedRecord): RawRecord | undefined {
  const info = readDeadLetterInfo(parked.headers);
  if (info === undefined) return undefined;
  const original = Object.fromEntries(Object.entries(parked.headers).filter(([name]) => !isDeadLetterHeader(name) && name !== REPLAYED_FROM_HEADER));
  return {
    topic: info.originalTopic,
    key: parked.key,
    value: parked.value,
    headers: { ...original, [REPLAYED_FROM_HEADER]: `${parked.topic}:${parked.partition}:${parked.offset}` },
  };
}
