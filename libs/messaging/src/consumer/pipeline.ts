import type { SqlTransaction } from '@txn/sql';
import type { ConsumedRecord } from '../ports';
import type { EnvelopeIds } from './envelope';
import type { HandlerOutcome } from './inbox';

/** A decoded message as a handler sees it. `value` has the reader's shape. */
export interface InboxMessage<T = unknown> extends EnvelopeIds {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly writerSchemaId: number;
  readonly value: T;
}

/**
 * Business logic only: apply the message through `tx` (the inbox transaction; write outbox rows
 * through it too) and say what happened. Throw only for failures worth retrying or parking.
 */
export type MessageHandler<T = unknown> = (tx: SqlTransaction, message: InboxMessage<T>) => Promise<HandlerOutcome>;

export interface DecodedItem {
  readonly kind: 'decoded';
  readonly record: ConsumedRecord;
  readonly message: InboxMessage;
}
export interface UndecodableItem {
  readonly kind: 'undecodable';
  readonly record: ConsumedRecord;
  readonly error: unknown;
}
/** Decoded, of a type the handler does not take: acknowledged without touching the database. */
export interface IgnoredItem {
  readonly kind: 'ignored';
  readonly record: ConsumedRecord;
  readonly message: InboxMessage;
}
export type Item = DecodedItem | UndecodableItem | IgnoredItem;

/** What became of one message inside its sub-batch's transaction. */
export interface Applied {
  readonly item: DecodedItem;
  readonly outcome: HandlerOutcome | 'duplicate';
  readonly duration_ms: number;
  readonly traceId: string;
}

/**
 * The open transaction of one sub-batch, and a place to say what must happen once it ends
 * (a span ends, marked when the transaction rolled back).
 */
export interface BatchScope {
  readonly tx: SqlTransaction;
  onSettled(finish: (committed: boolean) => void): void;
}

// The runtime is a handler wrapped in middlewares, watermill's shape, each in its own file:
//   transaction (consumer/transaction.ts) → inbox dedup (inbox-step.ts) → tracing (traced.ts)
//   → the handler (handler-step.ts), with in-place retries and dead letters (retries.ts) around
//   a one-message batch when a sub-batch rolls back.

/** One message applied in the open transaction. */
export type ApplyMessage = (scope: BatchScope, item: DecodedItem) => Promise<Applied>;
/** Several messages applied in one open transaction. */
export type ApplyInScope = (scope: BatchScope, items: readonly DecodedItem[]) => Promise<Applied[]>;
/** A sub-batch applied in a transaction of its own. */
export type ApplyBatch = (items: readonly DecodedItem[]) => Promise<Applied[]>;
