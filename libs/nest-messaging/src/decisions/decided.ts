import type { Actor } from '@txn/contracts';
import type { DomainEvent, Outcome, Refused, Stale } from '@txn/domain-kernel';
import type { SqlTransaction } from '@txn/sql';

/**
 * The one handler contract of every service. A use case loads what it needs through its
 * service's ports, lets the domain decide, and returns a `Decided`: the decision (with its domain
 * events), what the decision is about, and what the store needs to write it. It writes nothing
 * itself: `DecisionSettler` stores the state through the service's `DecisionStore`, builds the
 * envelopes, appends to the outbox, records what was not applied, and counts and logs the outcome.
 */
export interface Decided<TDecision extends AnyDecision = AnyDecision, TWrite = unknown> {
  /** The domain's decision, or a refusal or staleness found before the domain was asked (an unknown aggregate). */
  readonly decision: TDecision | Stale | Refused<string, DomainEvent>;
  readonly subject: Subject;
  /** What the store needs besides the decision (the row it was read from, …); the store's own type. */
  readonly write: TWrite;
}

/** A decision in @txn/domain-kernel's shape; stale and refused need not carry a state. */
export type AnyDecision = Outcome<{ readonly state: unknown; readonly events: readonly DomainEvent[] }, string, DomainEvent>;

/** What a decision is about: the aggregate, the saga its events belong to, and its status before. */
export interface Subject {
  /** The aggregate the message names (logs, unapplied records); events carry their own. */
  readonly aggregateId: string;
  readonly tenantId: string;
  /** The saga: every envelope of this decision's events carries it. */
  readonly correlationId: string;
  /** Status before the decision; null when the aggregate does not exist (yet). */
  readonly status: string | null;
}

/** The message a decision answers; absent when a timer or a PSP answer decided. */
export interface Cause {
  readonly eventId: string;
  readonly eventType: string;
  readonly actor: Actor;
}

/** How a decision is settled besides its cause. */
export interface SettleOptions {
  /** The metric's and log's message type; default: the cause's event type. */
  readonly messageType?: string;
  /** The events' causation when no message caused them (a PSP answer names the event that asked for the call). */
  readonly causationId?: string | null;
}

/** Everything the store is told about an applied decision. */
export interface AppliedDecision<TDecision extends AnyDecision, TWrite> {
  readonly decision: Extract<TDecision, { readonly outcome: 'applied' }>;
  readonly subject: Subject;
  readonly write: TWrite;
  /** The id every event of the decision names as its cause (null: a timer decided). */
  readonly causationId: string | null;
}

/** A message or answer that changed nothing, as recorded for a person to read. */
export interface UnappliedRecord {
  readonly cause: Cause;
  readonly subject: Subject;
  readonly outcome: 'stale' | 'rejected';
  readonly reason: string;
}

/**
 * The per-service port the settler writes through: storing is all it does (the decision is made).
 * Every write goes through the caller's transaction, with the inbox and outbox rows.
 */
export interface DecisionStore<TDecision extends AnyDecision = AnyDecision, TWrite = unknown> {
  storeApplied(tx: SqlTransaction, applied: AppliedDecision<TDecision, TWrite>): Promise<void>;
  /** A service without an unapplied-messages table leaves this out: the outcome is logged and counted. */
  recordUnapplied?(tx: SqlTransaction, record: UnappliedRecord): Promise<void>;
}
