import type { PspEventReceived } from '@txn/contracts';
import type { NormalisedPspEvent } from './receive-webhook/stripe-event';

/** One delivery as it reached us, before we know whether it is an event. */
export interface Delivery {
  readonly provider: 'stripe';
  readonly account: string;
  readonly raw: Buffer;
  /** The headers worth keeping as evidence (content type, signature, user agent): no credentials. */
  readonly headers: Readonly<Record<string, string>>;
  readonly sourceAddress: string | null;
  readonly receivedAt: Date;
}

/** How we know a stored event is the PSP's: its signature verified with a secret, or we fetched it with our key. */
export type EventSource = { readonly kind: 'VERIFIED'; readonly secretId: string } | { readonly kind: 'FETCHED' };

/** What to store for one delivery: the delivery, the event it carries, and what to publish the first time (null: a type payment does not consume). */
export interface DeliveryRecord {
  readonly delivery: Delivery;
  readonly event: NormalisedPspEvent;
  readonly source: EventSource;
  readonly publish: PspEventReceived | null;
}

export interface StoredEvent {
  /** False when the PSP had delivered this event before: stored as evidence, published nothing. */
  readonly first: boolean;
}

/**
 * The ingress' one write: the delivery, the dedup row and (first time, known type) the outbox row,
 * atomically (one statement: its own transaction), committed when it returns; a failure throws.
 */
export interface DeliveryStore {
  store(record: DeliveryRecord): Promise<StoredEvent>;
  /** The newest PSP event time we hold of an account (its first delivery's): where its catch-up starts. */
  newestEventAt(provider: string, account: string): Promise<Date | null>;
}

/** Catch-ups asked for by the command: claimed by one instance (leased), answered with the report. */
export interface CatchUpRequests {
  claim(now: Date, lease_ms: number): Promise<{ readonly requestId: string; readonly provider: string; readonly account: string; readonly since: Date } | undefined>;
  answer(requestId: string, report: Readonly<Record<string, unknown>>): Promise<void>;
}
