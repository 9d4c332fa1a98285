import { MESSAGE_HEADERS } from '@txn/messaging';
import type { SqlTransaction } from '@txn/sql';
import { OUTBOX_TABLE } from './schema';
import { captureTraceContext } from './trace-context';

/** One event to publish, already encoded by the caller (registry codec, Confluent wire format). */
export interface OutboxMessage {
  /** Stable across redelivery; the consumers' inbox key. */
  readonly eventId: string;
  readonly topic: string;
  /** The aggregate id: Kafka partition key, and the unit of ordering. */
  readonly key: string;
  readonly eventType: string;
  readonly value: Buffer;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly producer?: string;
  /** Further headers; the names the relay sets itself (event id/type, trace context) are refused. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface AppendOptions {
  /**
   * Also `pg_notify` the relay's wake-up channel, so it publishes without waiting for its next
   * poll. Off by default: a NOTIFY makes every committing transaction that sent one take a
   * database-wide lock at commit, which costs throughput at high commit rates (see note 0008).
   */
  readonly notify?: boolean;
}

/** Rows per INSERT statement: bounds the statement's size; larger arrays take several statements. */
export const MAX_APPEND_ROWS_PER_STATEMENT = 1_000;
/** Channel the relay LISTENs on. */
export const OUTBOX_WAKE_CHANNEL = 'outbox_wake';

const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  MESSAGE_HEADERS.eventId,
  MESSAGE_HEADERS.eventType,
  MESSAGE_HEADERS.traceparent,
  MESSAGE_HEADERS.tracestate,
]);

/** The headers stored in the row's `headers` column (the relay adds event id/type and trace context). */
export function storedHeaders(message: OutboxMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (RESERVED_HEADERS.has(name)) throw new Error(`outbox message ${message.eventId}: header ${name} is set by the outbox, not by the caller`);
    headers[name] = value;
  }
  if (message.correlationId !== undefined) headers[MESSAGE_HEADERS.correlationId] = message.correlationId;
  if (message.causationId !== undefined) headers[MESSAGE_HEADERS.causationId] = message.causationId;
  if (message.producer !== undefined) headers[MESSAGE_HEADERS.producer] = message.producer;
  return headers;
}

/** One outbox row's columns, as appendToOutbox writes them: for a caller that writes its row in its own single statement. */
export interface OutboxRow {
  readonly eventId: string;
  readonly topic: string;
  readonly messageKey: string;
  readonly eventType: string;
  readonly value: Buffer;
  /** JSON text of the stored headers. */
  readonly headers: string;
  readonly traceparent: string | null;
  readonly tracestate: string | null;
}

/** The row appendToOutbox would write for the message, with the active trace context. */
export function outboxRowOf(message: OutboxMessage): OutboxRow {
  const trace = captureTraceContext();
  return { eventId: message.eventId, topic: message.topic, messageKey: message.key, eventType: message.eventType, value: message.value, headers: JSON.stringify(storedHeaders(message)), traceparent: trace.traceparent, tracestate: trace.tracestate };
}

/**
 * Writes outbox rows in the caller's transaction (never its own: the rows must commit or roll
 * back with the state change). Rows get ids in array order, so one aggregate's events keep the
 * order given. The active W3C trace context is stored with every row.
 *
 * Ordering across transactions is the caller's part: two transactions that write events of one
 * aggregate must be serialised on that aggregate (row lock / version check) *before* appending,
 * so the later one's ids are assigned after the earlier one committed.
 */
export async function appendToOutbox(tx: SqlTransaction, messages: readonly OutboxMessage[], options: AppendOptions = {}): Promise<number> {
  if (messages.length === 0) return 0;
  const trace = captureTraceContext();
  for (let start = 0; start < messages.length; start += MAX_APPEND_ROWS_PER_STATEMENT) {
    const chunk = messages.slice(start, start + MAX_APPEND_ROWS_PER_STATEMENT);
    // One statement per chunk, 8 array parameters whatever the row count; unnest yields rows in
    // array order, so bigserial ids follow it.
    await tx.query(
      `INSERT INTO ${OUTBOX_TABLE} (event_id, topic, message_key, event_type, value, headers, traceparent, tracestate)
       SELECT event_id, topic, message_key, event_type, value, headers, $7::text, $8::text
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::jsonb[])
           AS m(event_id, topic, message_key, event_type, value, headers)`,
      [
        chunk.map((m) => m.eventId),
        chunk.map((m) => m.topic),
        chunk.map((m) => m.key),
        chunk.map((m) => m.eventType),
        chunk.map((m) => m.value),
        chunk.map((m) => JSON.stringify(storedHeaders(m))),
        trace.traceparent,
        trace.tracestate,
      ],
    );
  }
  if (options.notify === true) await tx.query('SELECT pg_notify($1, $2)', [OUTBOX_WAKE_CHANNEL, '']);
  return messages.length;
}
