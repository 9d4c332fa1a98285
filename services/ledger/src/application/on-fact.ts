import type { Envelope, Money as ContractMoney } from '@txn/contracts';
import type { IntentContext } from '@txn/domain-kernel';
import { breakOf, isUuid, ledgerError, suspenseEntry, type BreakKind, type JournalEntry, type LedgerError, type MoneyDirection } from '@txn/ledger-domain';
import type { SqlTransaction } from '@txn/sql';
import type { LedgerDeps } from './ledger-context';
import { alreadyApplied, appliedWrite, decided, NO_BALANCE_CHANGE, writeOf, type AdmittedBalances, type LedgerDecided, type LedgerDecision } from './ledger-decided';
import { entryPosted, ledgerBreakRaised } from './ledger-events';
import { lockAndAdmit, moneyOf } from './posting';

/** What a fact names, as it names it (the break keeps it even when it is what made the fact unreadable). */
export interface FactAbout {
  readonly paymentId: string | null;
  readonly bookingId: string | null;
  readonly amount: ContractMoney | null;
}

/** Money the fact says the PSP moved: booked to SUSPENSE when the books cannot place it. */
export interface MoneyMoved {
  readonly amount: ContractMoney;
  readonly direction: MoneyDirection;
}

/** What every ledger use case on a consumed fact works with. */
export interface FactAt {
  /** Who decides (the service) and when: the time of the events the decision emits. */
  readonly ctx: IntentContext;
  /** The decision, answered about this fact (its tenant and saga). */
  answer(decision: LedgerDecision): LedgerDecided;
  /**
   * The fact cannot be placed where it belongs: it is not refused. Money it says moved is booked
   * to the merchant's SUSPENSE account in its currency, and a break is raised (LedgerBreakRaised,
   * the `breaks` table, ledger_breaks_open) for reconciliation or a person to explain.
   */
  unplaced(kind: BreakKind, why: LedgerError, moved?: MoneyMoved): Promise<LedgerDecided>;
}

export function onFact(tx: SqlTransaction, envelope: Envelope, deps: LedgerDeps, about: FactAbout): FactAt {
  const ctx = { now: deps.now, actor: deps.actor };
  const answer = (decision: LedgerDecision): LedgerDecided => decided(decision, envelope);
  return {
    ctx,
    answer,
    async unplaced(kind, why, moved) {
      const breakId = envelope.eventId.toLowerCase();
      // The inbox answers a redelivery itself; this is the same fact re-sent after the inbox forgot it.
      if ((await deps.book.readBreak(tx, breakId)) !== undefined) return answer(alreadyApplied());
      const suspended = moved === undefined ? undefined : await suspend(tx, envelope, deps, { ...about, kind }, moved);
      const booked = suspended?.outcome === 'applied' ? suspended.value : undefined;
      const reason = suspended !== undefined && suspended.outcome !== 'applied' ? { ...why, detail: `${why.detail}; not booked to suspense: ${suspended.detail}` } : why;
      const raised = breakOf({ breakId, tenantId: envelope.tenantId, factEventType: envelope.eventType, ...about }, kind, reason, booked?.entry ?? null);
      const write = writeOf({ entries: booked === undefined ? [] : [booked.entry], balances: booked?.balances ?? NO_BALANCE_CHANGE, breaks: [raised] });
      return answer(appliedWrite(write, [ledgerBreakRaised(raised, ctx), ...(booked === undefined ? [] : [entryPosted(booked.entry, ctx)])]));
    },
  };
}

type Suspended = { readonly outcome: 'applied'; readonly value: { readonly entry: JournalEntry; readonly balances: Extract<AdmittedBalances, { outcome: 'applied' }>['value'] } } | LedgerError;

/** The suspense entry, under the fact's own event id (the entry it would have posted), admitted against the balances. */
async function suspend(tx: SqlTransaction, envelope: Envelope, deps: LedgerDeps, about: FactAbout & { readonly kind: BreakKind }, moved: MoneyMoved): Promise<Suspended> {
  const amount = moneyOf(moved.amount, 'amount');
  if (amount.outcome !== 'applied') return amount;
  if (amount.value.amountMinor <= 0n) return ledgerError('INVALID_AMOUNT', `${amount.value.amountMinor} is no money moved`);
  const entryId = envelope.eventId.toLowerCase();
  if (!isUuid(entryId)) return ledgerError('INVALID_ENTRY', `event id "${envelope.eventId}" is not a UUID`);
  if ((await deps.book.loadEntry(tx, entryId)) !== undefined) return ledgerError('DUPLICATE_CONFLICT', `entry ${entryId} exists and is not this fact's`);
  const ids = { paymentId: isUuid(about.paymentId ?? '') ? about.paymentId : null, bookingId: isUuid(about.bookingId ?? '') ? about.bookingId : null };
  const entry = suspenseEntry({ entryId, tenantId: envelope.tenantId, amount: amount.value, direction: moved.direction, reason: about.kind, ...ids });
  if (entry.outcome !== 'applied') return entry;
  const balances = await lockAndAdmit(tx, deps.book, [entry.value]);
  if (balances.outcome !== 'applied') return balances;
  return { outcome: 'applied', value: { entry: entry.value, balances: balances.value } };
}
