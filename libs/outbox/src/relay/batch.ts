import { MESSAGE_HEADERS, type OutgoingRecord } from '@txn/messaging';

/** An unsent outbox row as the relay reads it. */
export interface OutboxRow {
  /** bigint as text (pg returns int8 as a string); the publish order. */
  readonly id: string;
  readonly eventId: string;
  readonly topic: string;
  readonly key: string;
  readonly eventType: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  readonly traceparent: string | null;
  readonly tracestate: string | null;
}

/**
 * The longest prefix of `rows` (id order) whose values fit in `maxBytes`, but at least one row,
 * so a single large record still goes out alone. A prefix, never a selection: skipping a large row
 * to send a later one of the same key would reorder that key.
 */
export function takeWithinBytes<T extends { readonly value: Buffer }>(rows: readonly T[], maxBytes: number): readonly T[] {
  let total = 0;
  let count = 0;
  for (const row of rows) {
    total += row.value.length;
    if (count > 0 && total > maxBytes) break;
    count += 1;
  }
  return rows.slice(0, count);
}

/** The Kafka record for a row; `trace` are the headers of the publish span's context. */
export function toRecord(row: OutboxRow, trace: Readonly<Record<string, string>>): OutgoingRecord {
  const headers: Record<string, string> = { ...row.headers, [MESSAGE_HEADERS.eventId]: row.eventId, [MESSAGE_HEADERS.eventType]: row.eventType };
  const traceparent = trace[MESSAGE_HEADERS.traceparent] ?? row.traceparent;
  const tracestate = trace[MESSAGE_HEADERS.tracestate] ?? row.tracestate;
  if (traceparent !== null) headers[MESSAGE_HEADERS.traceparent] = traceparent;
  if (tracestate !== null && tracestate !== '') headers[MESSAGE_HEADERS.tracestate] = tracestate;
  return { topic: row.topic, key: row.key, value: row.value, headers };
}
