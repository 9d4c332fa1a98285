import type { Actor } from '@txn/contracts';

/**
 * One event an aggregate decided to emit: the generated payload without its envelope, plus what
 * the service needs to build the envelope (the service adds eventId, producer, tenant,
 * correlation and causation). `aggregateVersion` is the aggregate's version after this event.
 */
export interface DomainEvent<TType extends string, TPayload> {
  readonly eventType: TType;
  readonly aggregateVersion: bigint;
  readonly occurredAt: Date;
  readonly actor: Actor;
  readonly payload: TPayload;
}

/** The facts every intent takes besides its own: who asks, and when (the domain has no clock). */
export interface IntentContext {
  readonly now: Date;
  readonly actor: Actor;
}

/**
 * What an intent decided. Expected failures are values, not exceptions:
 * - `applied`: the new state and the events to write to the outbox in the same transaction
 *   (possibly none, when only internal bookkeeping changed);
 * - `stale`: the fact is already reflected or was overtaken (late, duplicate, out of order):
 *   record it and ignore it; the state is returned unchanged;
 * - `refused`: the command is illegal in the current state: record the refusal; state unchanged.
 */
export type Decision<TState, TEvent, TExtra extends object = object> =
  | ({ readonly outcome: 'applied'; readonly state: TState; readonly events: readonly TEvent[] } & TExtra)
  | { readonly outcome: 'stale'; readonly state: TState; readonly stale: string }
  | { readonly outcome: 'refused'; readonly state: TState; readonly refused: string };

export function stale<TState>(state: TState, reason: string): { readonly outcome: 'stale'; readonly state: TState; readonly stale: string } {
  return { outcome: 'stale', state, stale: reason };
}

export function refused<TState>(state: TState, reason: string): { readonly outcome: 'refused'; readonly state: TState; readonly refused: string } {
  return { outcome: 'refused', state, refused: reason };
}
