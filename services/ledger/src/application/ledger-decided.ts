import type { Envelope } from '@txn/contracts';
import type { Checked, Outcome, Stale } from '@txn/domain-kernel';
import type { Balances, LedgerErrorCode } from '@txn/ledger-domain';
import type { Decided, DecisionStore, Subject } from '@txn/nest-messaging';
import type { LedgerEvent } from './ledger-events';
import type { LedgerBook, LedgerWrite } from './ports';

/** What a ledger use case decides: the writes and events, or why nothing is written (only a command is refused; a fact is placed, or booked to suspense with a break). */
export type LedgerDecision = Outcome<{ readonly state: LedgerWrite; readonly events: readonly LedgerEvent[] }, LedgerErrorCode, LedgerEvent>;

export type LedgerDecided = Decided<LedgerDecision, undefined>;

/**
 * The fact was already applied under this or another event id (a producer's re-send, a replay
 * into a new group): nothing changes. (A redelivery of the same event id never gets here: the inbox
 * answers it `duplicate` itself.)
 */
export const ALREADY_APPLIED = 'ALREADY_APPLIED';

export function alreadyApplied(): Stale {
  return { outcome: 'stale', stale: ALREADY_APPLIED };
}

export function appliedWrite(state: LedgerWrite, events: readonly LedgerEvent[]): LedgerDecision {
  return { outcome: 'applied', state, events };
}

/** A write with only what is given; balances as locked before the steps and after them. */
export function writeOf(parts: Partial<Omit<LedgerWrite, 'balances' | 'releaseRequests'>> & { readonly balances: LedgerWrite['balances']; readonly put?: LedgerWrite['releaseRequests']['put']; readonly taken?: LedgerWrite['releaseRequests']['taken'] }): LedgerWrite {
  return {
    entries: parts.entries ?? [],
    holds: parts.holds ?? [],
    escrows: parts.escrows ?? [],
    balances: parts.balances,
    releaseRequests: { put: parts.put ?? [], taken: parts.taken ?? [] },
    breaks: parts.breaks ?? [],
  };
}

export const NO_BALANCE_CHANGE: LedgerWrite['balances'] = { before: new Map(), after: new Map() };

/** A consumed event's decision is about what it names; correlation and tenant are its own. */
export function ledgerSubject(envelope: Pick<Envelope, 'aggregateId' | 'tenantId' | 'correlationId'>): Subject {
  return { aggregateId: envelope.aggregateId, tenantId: envelope.tenantId, correlationId: envelope.correlationId, status: null };
}

export function decided(decision: LedgerDecision, envelope: Pick<Envelope, 'aggregateId' | 'tenantId' | 'correlationId'>): LedgerDecided {
  return { decision, subject: ledgerSubject(envelope), write: undefined };
}

/** The ledger's port for the one settle path: an applied decision's writes, in one go. Refusals are announced, not recorded apart. */
export function ledgerDecisionStore(book: LedgerBook): DecisionStore<LedgerDecision, undefined> {
  return { storeApplied: (tx, { decision }) => book.write(tx, decision.state) };
}

/** Balances locked, then moved by each step in order; a refusal of any step is the answer. */
export type AdmittedBalances = Checked<{ readonly before: Balances; readonly after: Balances }, LedgerErrorCode>;

