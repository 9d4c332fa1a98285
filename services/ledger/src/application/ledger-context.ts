import type { Actor } from '@txn/contracts';
import type { LedgerBook } from './ports';

/** What every ledger use case is given: the books, who decides (the service), and when it is now. */
export interface LedgerDeps {
  readonly book: LedgerBook;
  readonly actor: Actor;
  /** When the decision is made: the emitted events' time (rules judge by the consumed event's own time). */
  readonly now: Date;
}

/** What the module builds once; `clock` is the service's one clock. */
export interface LedgerContext {
  readonly book: LedgerBook;
  readonly actor: Actor;
  readonly clock: () => Date;
}

export const LEDGER_CONTEXT = Symbol('ledger-context');
