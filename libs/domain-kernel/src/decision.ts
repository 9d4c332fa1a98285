import type { Actor } from '@txn/contracts';

/** The facts every intent takes besides its own: who asks, and when (the domain has no clock). */
export interface IntentContext {
  readonly now: Date;
  readonly actor: Actor;
}

/**
 * One event a decision emits: the generated payload without its envelope, plus what the service
 * needs to build the envelope (it adds the event id, producer, tenant, correlation and causation).
 * `aggregateId` is also the Kafka key; `aggregateVersion` is the aggregate's version after the event.
 */
export interface DomainEvent<TType extends string = string, TPayload = unknown> {
  readonly eventType: TType;
  readonly aggregateId: string;
  readonly aggregateVersion: bigint;
  readonly occurredAt: Date;
  readonly actor: Actor;
  readonly payload: TPayload;
  /** Set only when the decision already named the event (e.g. stored as a row's closing event). */
  readonly eventId?: string;
}

/**
 * The domain events of a set of generated contracts, by event type: `DomainEventsOf<{ HoldPlaced:
 * HoldPlaced }>` is `DomainEvent<'HoldPlaced', HoldPlaced without its envelope>`, and a union for more.
 */
export type DomainEventsOf<TContracts extends Record<string, { readonly envelope: unknown }>> = {
  [K in keyof TContracts & string]: DomainEvent<K, Omit<TContracts[K], 'envelope'>>;
}[keyof TContracts & string];

/** The fact is already reflected or was overtaken (late, duplicate, out of order): recorded and ignored. */
export interface Stale {
  readonly outcome: 'stale';
  readonly stale: string;
}

/**
 * Illegal in the current state, or invalid: nothing changes. `refused` is the stable code a
 * machine acts on, `detail` the words a person reads. A refusal may be announced (`events`),
 * as the ledger announces a refused fact with LedgerRejected.
 */
export interface Refused<TCode extends string = string, TEvent = never> {
  readonly outcome: 'refused';
  readonly refused: TCode;
  readonly detail: string;
  readonly events?: readonly TEvent[];
}

/** The one shape of an outcome as a value, used by every domain. Exceptions are for bugs. */
export type Outcome<TApplied extends object, TCode extends string = string, TEvent = never> =
  | ({ readonly outcome: 'applied' } & TApplied)
  | Stale
  | Refused<TCode, TEvent>;

/**
 * What an aggregate's intent decided: `applied` with the new state and the events to write to the
 * outbox in the same transaction (possibly none), `stale` or `refused` with the state unchanged.
 */
export type Decision<TState, TEvent, TExtra extends object = object, TCode extends string = string> = Outcome<
  { readonly state: TState; readonly events: readonly TEvent[] } & TExtra,
  TCode,
  TEvent
> & { readonly state: TState };

/** A calculation that can be refused but never stale (a fee split, an entry's validation). */
export type Checked<T, TCode extends string = string> = { readonly outcome: 'applied'; readonly value: T } | Refused<TCode>;

export function checked<T>(value: T): { readonly outcome: 'applied'; readonly value: T } {
  return { outcome: 'applied', value };
}

export function stale<TState>(state: TState, reason: string): Stale & { readonly state: TState } {
  return { outcome: 'stale', state, stale: reason };
}

export function refused<TState, TCode extends string>(state: TState, code: TCode, detail: string = code): Refused<TCode> & { readonly state: TState } {
  return { outcome: 'refused', state, refused: code, detail };
}

/** A refusal of a calculation (no state to carry). */
export function refusal<TCode extends string>(code: TCode, detail: string): Refused<TCode> {
  return { outcome: 'refused', refused: code, detail };
}

export function isApplied<T extends { readonly outcome: string }>(outcome: T): outcome is Extract<T, { readonly outcome: 'applied' }> {
  return outcome.outcome === 'applied';
}
