import { type Money } from '@txn/money';
import { parseAccountId } from './accounts';
import { ledgerError, type LedgerError, type LedgerErrorCode } from './errors';
import { MAX_AMOUNT_MINOR, postEntry, type EntryType, type JournalEntry, type JournalLine } from './journal-entry';
import { checked, type Checked } from '@txn/domain-kernel';

/** Aligned with the contracts' HoldStatus. An expired hold ends VOIDED with reason HOLD_EXPIRED. */
export type HoldStatus = 'PENDING' | 'POSTED' | 'VOIDED';

/** A two-phase transfer as in TigerBeetle: reserved (pending) now, posted or voided later. */
export interface Hold {
  readonly holdId: string;
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  /** The amount held while PENDING. */
  readonly amount: Money;
  /** null: the hold never lapses by itself. At or after this instant it can only be expired. */
  readonly expiresAt: Date | null;
  readonly status: HoldStatus;
  /** Why it has its current status (PAYMENT_AUTHORIZED, PAYMENT_CAPTURED, HOLD_EXPIRED, ...). */
  readonly reason: string;
  readonly paymentId: string | null;
  readonly bookingId: string | null;
  /** Set once POSTED: at most `amount`; the rest of the hold was released. */
  readonly postedAmountMinor: bigint | null;
  /** Set once POSTED: the journal entry that posted it. */
  readonly entryId: string | null;
}

/** One step of a hold's life: what balances must apply (pending before → after, plus the entry if any). */
export interface HoldChange {
  readonly before: Hold | null;
  readonly after: Hold;
  readonly entry: JournalEntry | null;
}

export interface PlaceHoldInput {
  readonly holdId: string;
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  readonly amount: Money;
  readonly expiresAt: Date | null;
  readonly reason: string;
  readonly paymentId?: string | null;
  readonly bookingId?: string | null;
}

function checkHoldAccount(id: string, amount: Money): LedgerError | null {
  const account = parseAccountId(id);
  if (account.outcome !== 'applied') return account;
  if (account.value.currency !== amount.currency) {
    return ledgerError('CURRENCY_MISMATCH', `a ${amount.currency} hold on ${id}`);
  }
  return null;
}

export function placeHold(input: PlaceHoldInput, now: Date): Checked<HoldChange, LedgerErrorCode> {
  if (input.holdId.trim() === '') return ledgerError('INVALID_ENTRY', 'holdId is empty');
  if (input.debitAccountId === input.creditAccountId) {
    return ledgerError('INVALID_ENTRY', 'a hold needs two different accounts');
  }
  const accountProblem =
    checkHoldAccount(input.debitAccountId, input.amount) ?? checkHoldAccount(input.creditAccountId, input.amount);
  if (accountProblem !== null) return accountProblem;
  if (input.amount.amountMinor <= 0n || input.amount.amountMinor > MAX_AMOUNT_MINOR) {
    return ledgerError('INVALID_AMOUNT', `a hold is for 1..${MAX_AMOUNT_MINOR}, got ${input.amount.amountMinor}`);
  }
  if (input.expiresAt !== null && input.expiresAt.getTime() <= now.getTime()) {
    return ledgerError('HOLD_EXPIRED', `hold ${input.holdId} would expire before it is placed`);
  }
  const after: Hold = Object.freeze({
    holdId: input.holdId,
    debitAccountId: input.debitAccountId,
    creditAccountId: input.creditAccountId,
    amount: Object.freeze({ ...input.amount }),
    expiresAt: input.expiresAt,
    status: 'PENDING',
    reason: input.reason,
    paymentId: input.paymentId ?? null,
    bookingId: input.bookingId ?? null,
    postedAmountMinor: null,
    entryId: null,
  });
  return checked({ before: null, after, entry: null });
}

export function isExpired(hold: Hold, now: Date): boolean {
  return hold.expiresAt !== null && now.getTime() >= hold.expiresAt.getTime();
}

function checkActionable(hold: Hold, now: Date, action: string): LedgerError | null {
  if (hold.status !== 'PENDING') {
    return ledgerError('HOLD_NOT_PENDING', `cannot ${action} hold ${hold.holdId}: it is ${hold.status}`);
  }
  if (isExpired(hold, now)) {
    return ledgerError('HOLD_EXPIRED', `cannot ${action} hold ${hold.holdId}: it expired at ${hold.expiresAt?.toISOString()}`);
  }
  return null;
}

export interface PostHoldInput {
  /** The id of the event that caused the posting (e.g. PaymentCaptured's eventId). */
  readonly entryId: string;
  readonly entryType: EntryType;
  readonly reason: string;
  /** At most the held amount; the rest is released. */
  readonly amountMinor: bigint;
  /**
   * Where the posted amount goes. Defaults to the hold's credit account (TigerBeetle's rule);
   * capture spreads it over the escrow accounts instead. Must total `amountMinor`.
   */
  readonly credits?: readonly { readonly accountId: string; readonly amountMinor: bigint }[];
  readonly now: Date;
}

/** Posts a pending hold, possibly for less than held: the whole hold leaves pending, `amountMinor` is journaled. */
export function postHold(hold: Hold, input: PostHoldInput): Checked<HoldChange, LedgerErrorCode> {
  const problem = checkActionable(hold, input.now, 'post');
  if (problem !== null) return problem;
  if (input.amountMinor <= 0n) return ledgerError('INVALID_AMOUNT', `posted amount must be positive, got ${input.amountMinor}`);
  if (input.amountMinor > hold.amount.amountMinor) {
    return ledgerError('POST_EXCEEDS_HOLD', `cannot post ${input.amountMinor} of a hold of ${hold.amount.amountMinor}`);
  }
  const credits = input.credits ?? [{ accountId: hold.creditAccountId, amountMinor: input.amountMinor }];
  const creditTotal = credits.reduce((sum, credit) => sum + credit.amountMinor, 0n);
  if (creditTotal !== input.amountMinor) {
    return ledgerError('UNBALANCED', `credits total ${creditTotal}, posted amount is ${input.amountMinor}`);
  }
  const currency = hold.amount.currency;
  const lines: JournalLine[] = [
    { accountId: hold.debitAccountId, side: 'DEBIT', amount: { amountMinor: input.amountMinor, currency } },
    ...credits.map((credit) => ({
      accountId: credit.accountId,
      side: 'CREDIT' as const,
      amount: { amountMinor: credit.amountMinor, currency },
    })),
  ];
  const entry = postEntry({
    entryId: input.entryId,
    entryType: input.entryType,
    reason: input.reason,
    lines,
    paymentId: hold.paymentId,
    bookingId: hold.bookingId,
  });
  if (entry.outcome !== 'applied') return entry;
  const after: Hold = Object.freeze({
    ...hold,
    status: 'POSTED',
    reason: input.reason,
    postedAmountMinor: input.amountMinor,
    entryId: input.entryId,
  });
  return checked({ before: hold, after, entry: entry.value });
}

/** Voids a pending hold: nothing is journaled, the reservation disappears. */
export function voidHold(hold: Hold, reason: string, now: Date): Checked<HoldChange, LedgerErrorCode> {
  const problem = checkActionable(hold, now, 'void');
  if (problem !== null) return problem;
  return checked({ before: hold, after: Object.freeze({ ...hold, status: 'VOIDED', reason }), entry: null });
}

/** The only thing one can do with a lapsed hold: void it with reason HOLD_EXPIRED. */
export function expireHold(hold: Hold, now: Date): Checked<HoldChange, LedgerErrorCode> {
  if (hold.status !== 'PENDING') {
    return ledgerError('HOLD_NOT_PENDING', `cannot expire hold ${hold.holdId}: it is ${hold.status}`);
  }
  if (!isExpired(hold, now)) {
    return ledgerError('HOLD_NOT_EXPIRED', `hold ${hold.holdId} is valid until ${hold.expiresAt?.toISOString() ?? 'forever'}`);
  }
  return checked({ before: hold, after: Object.freeze({ ...hold, status: 'VOIDED', reason: 'HOLD_EXPIRED' }), entry: null });
}

/** The same hold placed again (a redelivery under another event id): every term equal, ids in any case. */
export function sameHold(a: Hold, b: Hold): boolean {
  const lower = (id: string | null): string | null => id?.toLowerCase() ?? null;
  return (
    a.holdId.toLowerCase() === b.holdId.toLowerCase() &&
    a.debitAccountId === b.debitAccountId &&
    a.creditAccountId === b.creditAccountId &&
    a.amount.currency === b.amount.currency &&
    a.amount.amountMinor === b.amount.amountMinor &&
    (a.expiresAt?.getTime() ?? null) === (b.expiresAt?.getTime() ?? null) &&
    lower(a.paymentId) === lower(b.paymentId) &&
    lower(a.bookingId) === lower(b.bookingId)
  );
}
