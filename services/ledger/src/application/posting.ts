import { checked, type Checked } from '@txn/domain-kernel';
import type { Money as ContractMoney } from '@txn/contracts';
import {
  admit,
  checkEntryIds,
  definitionOf,
  ledgerError,
  normalisedEntry,
  parseAccountId,
  type Balances,
  type HoldChange,
  type JournalEntry,
  type LedgerErrorCode,
} from '@txn/ledger-domain';
import { isCurrencyCode, type Money } from '@txn/money';
import type { SqlTransaction } from '@txn/sql';
import type { AdmittedBalances } from './ledger-decided';
import type { ChartAccount, LedgerBook } from './ports';

/** The steps a decision takes on balances: a hold changing state, or an entry posted. */
export type BalanceStep = HoldChange | JournalEntry;

/** The contracts carry the currency as a string; the ledger works only with supported ones. */
export function moneyOf(amount: ContractMoney, field: string): Checked<Money, LedgerErrorCode> {
  if (!isCurrencyCode(amount.currency)) return ledgerError('CURRENCY_MISMATCH', `${field}: unsupported currency "${amount.currency}"`);
  return checked({ amountMinor: amount.amountMinor, currency: amount.currency });
}

function accountsOf(steps: readonly BalanceStep[]): string[] {
  const ids: string[] = [];
  for (const step of steps) {
    if ('lines' in step) ids.push(...step.lines.map((line) => line.accountId));
    else {
      ids.push(step.after.debitAccountId, step.after.creditAccountId);
      if (step.entry !== null) ids.push(...step.entry.lines.map((line) => line.accountId));
    }
  }
  return [...new Set(ids)].sort();
}

/**
 * Locks the balances every step touches, all at once and in account-id order, so two decisions on
 * overlapping accounts queue instead of deadlocking. The chart defines each account created on
 * first use; an id that is no account of the chart is refused (UNKNOWN_ACCOUNT).
 */
export async function lockBalancesFor(tx: SqlTransaction, book: LedgerBook, steps: readonly BalanceStep[]): Promise<Checked<Balances, LedgerErrorCode>> {
  const accounts: ChartAccount[] = [];
  for (const id of accountsOf(steps)) {
    const ref = parseAccountId(id);
    if (ref.outcome !== 'applied') return ref;
    const { type, normalSide, limit } = definitionOf(ref.value.code);
    accounts.push({ ...ref.value, id, type, normalSide, limit });
  }
  return checked(await book.lockBalances(tx, accounts));
}

/** Locks the steps' balances, then admits the steps in order: an account with a limit may not go below zero available. */
export async function lockAndAdmit(tx: SqlTransaction, book: LedgerBook, steps: readonly BalanceStep[]): Promise<AdmittedBalances> {
  const locked = await lockBalancesFor(tx, book, steps);
  if (locked.outcome !== 'applied') return locked;
  let after: Balances = locked.value;
  for (const step of steps) {
    const admitted = admit(after, step);
    if (admitted.outcome !== 'applied') return admitted;
    after = admitted.value;
  }
  return checked({ before: locked.value, after });
}

/**
 * An entry about to be written under its causing event's id: its ids must be UUIDs and no entry
 * may exist under that id yet (another entry there is a conflict, never a silent success).
 * Returns the entry in the form it is stored and compared in.
 */
export async function newEntry(tx: SqlTransaction, book: LedgerBook, entry: JournalEntry, what: string): Promise<Checked<JournalEntry, LedgerErrorCode>> {
  const badId = checkEntryIds(entry);
  if (badId !== null) return badId;
  const normalised = normalisedEntry(entry);
  if ((await book.loadEntry(tx, normalised.entryId)) !== undefined) {
    return ledgerError('DUPLICATE_CONFLICT', `entry ${normalised.entryId} already exists; ${what} cannot post under its id`);
  }
  return checked(normalised);
}
