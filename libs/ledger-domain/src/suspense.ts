import type { Checked } from '@txn/domain-kernel';
import type { Money } from '@txn/money';
import { accountId } from './accounts';
import type { LedgerError, LedgerErrorCode } from './errors';
import { postEntry, type JournalEntry } from './journal-entry';

/**
 * What a fact the books could not place was about. A fact is never refused: money the PSP moved is
 * booked to SUSPENSE, and every such fact (money or not) raises a break a person sees.
 */
export type BreakKind =
  /** A capture with no pending hold to post, or one that cannot be posted (expired, voided, exceeding it, another currency, a fee that cannot be split). */
  | 'CAPTURE_UNPLACED'
  /** A refund with no escrow, or one the escrow cannot pay (beyond the capture, beyond what is left). */
  | 'REFUND_UNPLACED'
  /** An authorization whose hold cannot be placed (it conflicts with one under its id, or it expired before it arrived). */
  | 'AUTHORIZATION_UNPLACED'
  /** A void of a hold that does not exist or was posted. */
  | 'VOID_UNPLACED'
  /** A completed booking whose escrow cannot be released (already refunded, another release under its id). */
  | 'RELEASE_BLOCKED'
  /** A fact whose ids or currency the ledger cannot read: nothing can be booked, only kept. */
  | 'FACT_UNREADABLE'
  /** A dispute of a booking whose escrow is not there to hold back (never funded, or already released to the merchant). */
  | 'DISPUTE_UNPLACED';

export const BREAK_KINDS: readonly BreakKind[] = ['CAPTURE_UNPLACED', 'REFUND_UNPLACED', 'AUTHORIZATION_UNPLACED', 'VOID_UNPLACED', 'RELEASE_BLOCKED', 'FACT_UNREADABLE', 'DISPUTE_UNPLACED'];

/** A fact the books could not place, kept until reconciliation or a person explains it. */
export interface LedgerBreak {
  /** The fact's event id: one break per fact, however often it is redelivered. */
  readonly breakId: string;
  readonly tenantId: string;
  readonly kind: BreakKind;
  readonly code: LedgerErrorCode;
  readonly reason: string;
  readonly factEventType: string;
  /** As the fact named them (they may be what made it unreadable). */
  readonly paymentId: string | null;
  readonly bookingId: string | null;
  /** As the fact stated it: the currency may be one the books do not know. */
  readonly amount: { readonly amountMinor: bigint; readonly currency: string } | null;
  /** The entry that booked the money to SUSPENSE; null when no money moved or none could be booked. */
  readonly suspenseEntryId: string | null;
}

/** IN: the PSP took money from a customer (a capture); OUT: it gave money back (a refund). */
export type MoneyDirection = 'IN' | 'OUT';

export interface SuspenseInput {
  /** The fact's event id: the entry the fact would have posted had it been placed. */
  readonly entryId: string;
  readonly tenantId: string;
  readonly amount: Money;
  readonly direction: MoneyDirection;
  readonly reason: string;
  readonly paymentId: string | null;
  readonly bookingId: string | null;
}

/**
 * Money the PSP moved, booked where the books can hold it until it is explained: IN debits PSP
 * clearing (the PSP owes it to us, as for any capture) and credits the merchant's SUSPENSE; OUT
 * the reverse. PSP clearing stays true to the PSP, so settlement reconciles; SUSPENSE shows what is unexplained.
 */
export function suspenseEntry(input: SuspenseInput): Checked<JournalEntry, LedgerErrorCode> {
  const clearing = accountId({ code: 'PSP_CLEARING', tenantId: input.tenantId, currency: input.amount.currency });
  const suspense = accountId({ code: 'SUSPENSE', tenantId: input.tenantId, currency: input.amount.currency });
  const [debit, credit] = input.direction === 'IN' ? [clearing, suspense] : [suspense, clearing];
  return postEntry({
    entryId: input.entryId,
    entryType: 'SUSPENSE',
    reason: input.reason,
    lines: [
      { accountId: debit, side: 'DEBIT', amount: input.amount },
      { accountId: credit, side: 'CREDIT', amount: input.amount },
    ],
    paymentId: input.paymentId,
    bookingId: input.bookingId,
  });
}

/** The break a fact raises: `refusal` says why it could not be placed. */
export function breakOf(
  fact: Omit<LedgerBreak, 'kind' | 'code' | 'reason' | 'suspenseEntryId'>,
  kind: BreakKind,
  refusal: LedgerError,
  suspense: JournalEntry | null,
): LedgerBreak {
  return { ...fact, breakId: fact.breakId.toLowerCase(), kind, code: refusal.refused, reason: refusal.detail, suspenseEntryId: suspense?.entryId ?? null };
}
