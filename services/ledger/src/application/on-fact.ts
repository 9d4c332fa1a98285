import type { Envelope } from '@txn/contracts';
import type { IntentContext } from '@txn/domain-kernel';
import type { LedgerError } from '@txn/ledger-domain';
import type { LedgerDeps } from './ledger-context';
import { decided, rejectedWith, type LedgerDecided, type LedgerDecision } from './ledger-decided';
import type { RejectedEvent } from './ledger-events';

/** What every ledger use case on a consumed fact works with. */
export interface FactAt {
  /** Who decides (the service) and when: the time of the events the decision emits. */
  readonly ctx: IntentContext;
  /** The decision, answered about this fact (its tenant and saga). */
  answer(decision: LedgerDecision): LedgerDecided;
  /** A refusal of this fact, announced with LedgerRejected naming it. */
  refuse(refusal: LedgerError): LedgerDecided;
}

export function onFact(envelope: Envelope, deps: LedgerDeps, about: Omit<RejectedEvent, 'eventId' | 'eventType'>): FactAt {
  const ctx = { now: deps.now, actor: deps.actor };
  const rejected: RejectedEvent = { eventId: envelope.eventId, eventType: envelope.eventType, ...about };
  return {
    ctx,
    answer: (decision) => decided(decision, envelope),
    refuse: (refusal) => decided(rejectedWith(rejected, refusal, ctx), envelope),
  };
}
