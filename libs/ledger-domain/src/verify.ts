import { type CurrencyCode } from '@txn/money';
import { applyEntry, BALANCE_FIELDS, zeroBalance, type AccountBalance, type BalanceField, type Balances } from './balances';
import { type Hold } from './holds';
import { netByCurrency, type JournalEntry } from './journal-entry';

/** Everything the balances must be derivable from: the written entries and the holds (pending ones count). */
export interface Journal {
  readonly entries: readonly JournalEntry[];
  readonly holds: readonly Hold[];
}

export type Discrepancy =
  | { readonly kind: 'UNBALANCED_ENTRY'; readonly entryId: string; readonly currency: CurrencyCode; readonly netMinor: bigint }
  | {
      readonly kind: 'BALANCE_MISMATCH';
      readonly accountId: string;
      readonly field: BalanceField;
      readonly expectedMinor: bigint;
      readonly actualMinor: bigint;
    }
  | { readonly kind: 'CURRENCY_MISMATCH'; readonly accountId: string; readonly expected: CurrencyCode; readonly actual: CurrencyCode }
  | {
      readonly kind: 'CURRENCY_NOT_ZERO';
      readonly currency: CurrencyCode;
      readonly scope: 'POSTED' | 'PENDING';
      /** Debits minus credits over all accounts: must be 0. */
      readonly netMinor: bigint;
    };

/** The balances the journal implies, built from nothing: posted from entries, pending from pending holds. */
export function balancesFromJournal(journal: Journal): Balances {
  let balances: Balances = new Map();
  for (const entry of journal.entries) balances = applyEntry(balances, entry);
  const next = new Map(balances);
  for (const hold of journal.holds) {
    if (hold.status !== 'PENDING') continue;
    const { amountMinor, currency } = hold.amount;
    const debit = next.get(hold.debitAccountId) ?? zeroBalance(hold.debitAccountId, currency);
    next.set(hold.debitAccountId, { ...debit, debitsPendingMinor: debit.debitsPendingMinor + amountMinor });
    const credit = next.get(hold.creditAccountId) ?? zeroBalance(hold.creditAccountId, currency);
    next.set(hold.creditAccountId, { ...credit, creditsPendingMinor: credit.creditsPendingMinor + amountMinor });
  }
  return next;
}

function currencyTotals(balances: Balances): Discrepancy[] {
  const posted = new Map<CurrencyCode, bigint>();
  const pending = new Map<CurrencyCode, bigint>();
  for (const balance of balances.values()) {
    const { currency } = balance;
    posted.set(currency, (posted.get(currency) ?? 0n) + balance.debitsPostedMinor - balance.creditsPostedMinor);
    pending.set(currency, (pending.get(currency) ?? 0n) + balance.debitsPendingMinor - balance.creditsPendingMinor);
  }
  const found: Discrepancy[] = [];
  for (const [scope, totals] of [
    ['POSTED', posted],
    ['PENDING', pending],
  ] as const) {
    for (const [currency, netMinor] of totals) {
      if (netMinor !== 0n) found.push({ kind: 'CURRENCY_NOT_ZERO', currency, scope, netMinor });
    }
  }
  return found;
}

function compareAccount(accountId: string, expected: AccountBalance | undefined, actual: AccountBalance | undefined): Discrepancy[] {
  const found: Discrepancy[] = [];
  if (expected !== undefined && actual !== undefined && expected.currency !== actual.currency) {
    found.push({ kind: 'CURRENCY_MISMATCH', accountId, expected: expected.currency, actual: actual.currency });
  }
  for (const field of BALANCE_FIELDS) {
    // A missing row reads as zero: an account nobody touched and an all-zero row are the same fact.
    const expectedMinor = expected?.[field] ?? 0n;
    const actualMinor = actual?.[field] ?? 0n;
    if (expectedMinor !== actualMinor) found.push({ kind: 'BALANCE_MISMATCH', accountId, field, expectedMinor, actualMinor });
  }
  return found;
}

/**
 * Proves the stored balances: every entry balances, every counter of every account equals the sum of
 * its journal lines (pending: of its pending holds), and every currency nets to zero over all
 * accounts. Returns the discrepancies; an empty list is the proof.
 */
export function verify(journal: Journal, balances: Balances): Discrepancy[] {
  const found: Discrepancy[] = [];
  for (const entry of journal.entries) {
    for (const [currency, netMinor] of netByCurrency(entry.lines)) {
      if (netMinor !== 0n) found.push({ kind: 'UNBALANCED_ENTRY', entryId: entry.entryId, currency, netMinor });
    }
  }
  const expected = balancesFromJournal(journal);
  const accountIds = [...new Set([...expected.keys(), ...balances.keys()])].sort();
  for (const accountId of accountIds) {
    found.push(...compareAccount(accountId, expected.get(accountId), balances.get(accountId)));
  }
  found.push(...currencyTotals(balances));
  return found;
}
