import { type CurrencyCode, type Money } from '@txn/money';
import { parseAccountId, type Side } from './accounts';
import { ledgerError, type LedgerError, type LedgerErrorCode } from './errors';
import { checked, type Checked } from '@txn/domain-kernel';

/** Avro `long` and PostgreSQL `bigint`: no single amount or per-currency entry total may exceed it. */
export const MAX_AMOUNT_MINOR = 2n ** 63n - 1n;
/** An entry of the money flow has at most five lines; anything near this bound is a bug upstream. */
export const MAX_LINES_PER_ENTRY = 64;

/** Aligned with the contracts' EntryPosted.entryType. */
export type EntryType = 'CAPTURE_TO_ESCROW' | 'ESCROW_RELEASE' | 'REFUND' | 'REVERSAL' | 'ADJUSTMENT' | 'SUSPENSE';

/** One line; maps 1:1 onto the contracts' Posting. The amount is positive, the side says the direction. */
export interface JournalLine {
  readonly accountId: string;
  readonly side: Side;
  readonly amount: Money;
}

export interface JournalEntry {
  /** The id of the event that caused the entry: posting the same event twice yields the same id. */
  readonly entryId: string;
  readonly entryType: EntryType;
  readonly reason: string;
  readonly lines: readonly JournalLine[];
  /** Set on a reversing entry (and on refunds, which partly reverse the capture). */
  readonly reversesEntryId: string | null;
  readonly paymentId: string | null;
  readonly bookingId: string | null;
}

export type EntryDraft = Omit<JournalEntry, 'reversesEntryId' | 'paymentId' | 'bookingId'> &
  Partial<Pick<JournalEntry, 'reversesEntryId' | 'paymentId' | 'bookingId'>>;

/** Debits minus credits per currency over some lines; a balanced entry has 0 for every currency. */
export function netByCurrency(lines: readonly JournalLine[]): Map<CurrencyCode, bigint> {
  const net = new Map<CurrencyCode, bigint>();
  for (const line of lines) {
    const signed = line.side === 'DEBIT' ? line.amount.amountMinor : -line.amount.amountMinor;
    net.set(line.amount.currency, (net.get(line.amount.currency) ?? 0n) + signed);
  }
  return net;
}

function checkLine(line: JournalLine, index: number): LedgerError | null {
  const account = parseAccountId(line.accountId);
  if (account.outcome !== 'applied') return account;
  if (account.value.currency !== line.amount.currency) {
    return ledgerError('CURRENCY_MISMATCH', `line ${index}: ${line.amount.currency} on ${line.accountId}`);
  }
  if (line.side !== 'DEBIT' && line.side !== 'CREDIT') {
    return ledgerError('INVALID_ENTRY', `line ${index}: side must be DEBIT or CREDIT`);
  }
  const amount = line.amount.amountMinor;
  if (amount <= 0n || amount > MAX_AMOUNT_MINOR) {
    return ledgerError('INVALID_AMOUNT', `line ${index}: amount must be in 1..${MAX_AMOUNT_MINOR}, got ${amount}`);
  }
  return null;
}

function checkBalanced(lines: readonly JournalLine[]): LedgerError | null {
  for (const [currency, net] of netByCurrency(lines)) {
    if (net !== 0n) return ledgerError('UNBALANCED', `${currency} debits minus credits is ${net}, not 0`);
    const debits = lines
      .filter((line) => line.side === 'DEBIT' && line.amount.currency === currency)
      .reduce((sum, line) => sum + line.amount.amountMinor, 0n);
    if (debits > MAX_AMOUNT_MINOR) return ledgerError('INVALID_AMOUNT', `${currency} entry total exceeds ${MAX_AMOUNT_MINOR}`);
  }
  return null;
}

/**
 * Validates a draft into an immutable entry, or refuses it: at least two lines, each positive, on a
 * known account of its own currency, and debits equal credits in every currency of the entry.
 */
export function postEntry(draft: EntryDraft): Checked<JournalEntry, LedgerErrorCode> {
  if (draft.entryId.trim() === '') return ledgerError('INVALID_ENTRY', 'entryId is empty');
  if (draft.lines.length < 2 || draft.lines.length > MAX_LINES_PER_ENTRY) {
    return ledgerError('INVALID_ENTRY', `an entry has 2..${MAX_LINES_PER_ENTRY} lines, got ${draft.lines.length}`);
  }
  for (const [index, line] of draft.lines.entries()) {
    const problem = checkLine(line, index);
    if (problem !== null) return problem;
  }
  const unbalanced = checkBalanced(draft.lines);
  if (unbalanced !== null) return unbalanced;
  return checked(
    Object.freeze({
      entryId: draft.entryId,
      entryType: draft.entryType,
      reason: draft.reason,
      lines: Object.freeze(
        draft.lines.map((line) =>
          Object.freeze({ accountId: line.accountId, side: line.side, amount: Object.freeze({ ...line.amount }) }),
        ),
      ),
      reversesEntryId: draft.reversesEntryId ?? null,
      paymentId: draft.paymentId ?? null,
      bookingId: draft.bookingId ?? null,
    }),
  );
}

/** The correction of a written entry: the same lines with sides swapped. The original stays as it is. */
export function reverse(entry: JournalEntry, reversalId: string, reason: string): Checked<JournalEntry, LedgerErrorCode> {
  if (reversalId === entry.entryId) {
    return ledgerError('INVALID_ENTRY', 'a reversal needs its own id (the id of the event that asked for it)');
  }
  return postEntry({
    entryId: reversalId,
    entryType: 'REVERSAL',
    reason,
    lines: entry.lines.map((line) => ({ ...line, side: line.side === 'DEBIT' ? 'CREDIT' : 'DEBIT' })),
    reversesEntryId: entry.entryId,
    paymentId: entry.paymentId,
    bookingId: entry.bookingId,
  });
}

function sameEntry(a: JournalEntry, b: JournalEntry): boolean {
  const sameLines =
    a.lines.length === b.lines.length &&
    a.lines.every((line, i) => {
      const other = b.lines[i];
      return (
        other !== undefined &&
        line.accountId === other.accountId &&
        line.side === other.side &&
        line.amount.currency === other.amount.currency &&
        line.amount.amountMinor === other.amount.amountMinor
      );
    });
  return (
    sameLines &&
    a.entryId === b.entryId &&
    a.entryType === b.entryType &&
    a.reason === b.reason &&
    a.reversesEntryId === b.reversesEntryId &&
    a.paymentId === b.paymentId &&
    a.bookingId === b.bookingId
  );
}

/**
 * What to do with an entry whose id may already be written. The id is the causing event's id, so a
 * redelivered event finds its entry: the same content is a duplicate (skip), different content under
 * the same id is a conflict (refuse and alarm), never a silent success.
 */
export function classifyRepost(
  existing: JournalEntry | undefined,
  candidate: JournalEntry,
): Checked<'new' | 'duplicate', LedgerErrorCode> {
  if (existing === undefined) return checked('new');
  if (sameEntry(existing, candidate)) return checked('duplicate');
  return ledgerError('DUPLICATE_CONFLICT', `entry ${candidate.entryId} exists with different content`);
}
