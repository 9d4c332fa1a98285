import { type CurrencyCode } from '@txn/money';
import { definitionOf, parseAccountId, type AccountDefinition } from './accounts';
import { ledgerError, type LedgerErrorCode } from './errors';
import { type HoldChange } from './holds';
import { type JournalEntry } from './journal-entry';
import { checked, type Checked } from '@txn/domain-kernel';

/** TigerBeetle's four counters. Balances are never stored as one signed number: the parts explain it. */
export interface AccountBalance {
  readonly accountId: string;
  readonly currency: CurrencyCode;
  readonly debitsPostedMinor: bigint;
  readonly creditsPostedMinor: bigint;
  readonly debitsPendingMinor: bigint;
  readonly creditsPendingMinor: bigint;
}

export type BalanceField = 'debitsPostedMinor' | 'creditsPostedMinor' | 'debitsPendingMinor' | 'creditsPendingMinor';
export const BALANCE_FIELDS: readonly BalanceField[] = [
  'debitsPostedMinor',
  'creditsPostedMinor',
  'debitsPendingMinor',
  'creditsPendingMinor',
];

export type Balances = ReadonlyMap<string, AccountBalance>;

export const NO_BALANCES: Balances = new Map();

export function zeroBalance(accountId: string, currency: CurrencyCode): AccountBalance {
  return { accountId, currency, debitsPostedMinor: 0n, creditsPostedMinor: 0n, debitsPendingMinor: 0n, creditsPendingMinor: 0n };
}

function bump(
  balances: Map<string, AccountBalance>,
  accountId: string,
  currency: CurrencyCode,
  field: BalanceField,
  deltaMinor: bigint,
): void {
  const current = balances.get(accountId) ?? zeroBalance(accountId, currency);
  balances.set(accountId, { ...current, [field]: current[field] + deltaMinor });
}

/** The balances after an entry's lines are posted. Pure: the input map is left as it was. */
export function applyEntry(balances: Balances, entry: JournalEntry): Balances {
  const next = new Map(balances);
  for (const line of entry.lines) {
    const field = line.side === 'DEBIT' ? 'debitsPostedMinor' : 'creditsPostedMinor';
    bump(next, line.accountId, line.amount.currency, field, line.amount.amountMinor);
  }
  return next;
}

/** The balances after one step of a hold: its pending amount comes or goes, and its entry (if any) posts. */
export function applyHoldChange(balances: Balances, change: HoldChange): Balances {
  const next = new Map(balances);
  const pendingBefore = change.before?.status === 'PENDING' ? change.before : null;
  const pendingAfter = change.after.status === 'PENDING' ? change.after : null;
  for (const [hold, sign] of [
    [pendingBefore, -1n],
    [pendingAfter, 1n],
  ] as const) {
    if (hold === null) continue;
    const { amountMinor, currency } = hold.amount;
    bump(next, hold.debitAccountId, currency, 'debitsPendingMinor', sign * amountMinor);
    bump(next, hold.creditAccountId, currency, 'creditsPendingMinor', sign * amountMinor);
  }
  return change.entry === null ? next : applyEntry(next, change.entry);
}

/** Posted balance on the account's normal side (positive when the account holds what it should). */
export function postedBalance(balance: AccountBalance, normalSide: AccountDefinition['normalSide']): bigint {
  const net = balance.debitsPostedMinor - balance.creditsPostedMinor;
  return normalSide === 'DEBIT' ? net : -net;
}

/**
 * TigerBeetle's available balance: posted, minus what pending holds may still take out; pending
 * amounts that would add to the account are not counted until they are posted.
 */
export function availableBalance(balance: AccountBalance, normalSide: AccountDefinition['normalSide']): bigint {
  return normalSide === 'DEBIT'
    ? balance.debitsPostedMinor - balance.creditsPostedMinor - balance.creditsPendingMinor
    : balance.creditsPostedMinor - balance.debitsPostedMinor - balance.debitsPendingMinor;
}

function breachesLimit(balance: AccountBalance): boolean {
  const account = parseAccountId(balance.accountId);
  if (account.outcome !== 'applied') return false;
  switch (definitionOf(account.value.code).limit) {
    case 'DEBITS_MUST_NOT_EXCEED_CREDITS':
      return balance.debitsPostedMinor + balance.debitsPendingMinor > balance.creditsPostedMinor;
    case 'CREDITS_MUST_NOT_EXCEED_DEBITS':
      return balance.creditsPostedMinor + balance.creditsPendingMinor > balance.debitsPostedMinor;
    case 'NONE':
      return false;
  }
}

/**
 * Applies an entry or a hold step only if no touched account with a limit would go below zero
 * available; otherwise INSUFFICIENT_FUNDS and the balances stay as they were.
 */
export function admit(balances: Balances, change: HoldChange | JournalEntry): Checked<Balances, LedgerErrorCode> {
  const next = 'lines' in change ? applyEntry(balances, change) : applyHoldChange(balances, change);
  for (const [accountId, balance] of next) {
    if (balances.get(accountId) === balance) continue;
    if (breachesLimit(balance)) {
      return ledgerError('INSUFFICIENT_FUNDS', `${accountId} would be overdrawn`);
    }
  }
  return checked(next);
}
