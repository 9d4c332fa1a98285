import { isCurrencyCode, type CurrencyCode } from '@txn/money';
import type { AccountBalance, BreakKind, EntryType, EscrowStatus, HoldStatus, JournalEntry, LedgerBreak, LedgerErrorCode, Side } from '@txn/ledger-domain';
import type { StoredEscrow, StoredHold } from '../application/ports';

/**
 * Rows as pg returns them (bigint and numeric as strings, uuid lower-case) and their domain values.
 * A row that does not map is corruption, not a business outcome: it throws.
 */

export function currencyOf(text: string): CurrencyCode {
  if (!isCurrencyCode(text)) throw new Error(`stored currency "${text}" is not supported`);
  return text;
}

export interface BalanceRow {
  readonly account_id: string;
  readonly currency: string;
  readonly debits_posted_minor: string;
  readonly credits_posted_minor: string;
  readonly debits_pending_minor: string;
  readonly credits_pending_minor: string;
}

export const BALANCE_COLUMNS = 'account_id, currency, debits_posted_minor, credits_posted_minor, debits_pending_minor, credits_pending_minor';

export function balanceOf(row: BalanceRow): AccountBalance {
  return {
    accountId: row.account_id,
    currency: currencyOf(row.currency),
    debitsPostedMinor: BigInt(row.debits_posted_minor),
    creditsPostedMinor: BigInt(row.credits_posted_minor),
    debitsPendingMinor: BigInt(row.debits_pending_minor),
    creditsPendingMinor: BigInt(row.credits_pending_minor),
  };
}

export interface EntryRow {
  readonly entry_id: string;
  readonly entry_type: string;
  readonly reason: string;
  readonly reverses_entry_id: string | null;
  readonly payment_id: string | null;
  readonly booking_id: string | null;
}

export interface LineRow {
  readonly entry_id: string;
  readonly account_id: string;
  readonly side: string;
  readonly amount_minor: string;
  readonly currency: string;
}

export const ENTRY_COLUMNS = 'entry_id, entry_type, reason, reverses_entry_id, payment_id, booking_id';
export const LINE_COLUMNS = 'entry_id, account_id, side, amount_minor, currency';

/** Lines must come in line_no order: an entry's content includes the order of its lines. */
export function entryOf(row: EntryRow, lines: readonly LineRow[]): JournalEntry {
  return {
    entryId: row.entry_id,
    entryType: row.entry_type as EntryType,
    reason: row.reason,
    lines: lines.map((line) => ({
      accountId: line.account_id,
      side: line.side as Side,
      amount: { amountMinor: BigInt(line.amount_minor), currency: currencyOf(line.currency) },
    })),
    reversesEntryId: row.reverses_entry_id,
    paymentId: row.payment_id,
    bookingId: row.booking_id,
  };
}

export interface HoldRow {
  readonly hold_id: string;
  readonly debit_account_id: string;
  readonly credit_account_id: string;
  readonly currency: string;
  readonly amount_minor: string;
  readonly expires_at: Date | null;
  readonly status: string;
  readonly reason: string;
  readonly payment_id: string | null;
  readonly booking_id: string | null;
  readonly posted_amount_minor: string | null;
  readonly entry_id: string | null;
  readonly closed_by_event_id: string | null;
}

export const HOLD_COLUMNS =
  'hold_id, debit_account_id, credit_account_id, currency, amount_minor, expires_at, status, reason, payment_id, booking_id, posted_amount_minor, entry_id, closed_by_event_id';

export function holdOf(row: HoldRow): StoredHold {
  return {
    hold: {
      holdId: row.hold_id,
      debitAccountId: row.debit_account_id,
      creditAccountId: row.credit_account_id,
      amount: { amountMinor: BigInt(row.amount_minor), currency: currencyOf(row.currency) },
      expiresAt: row.expires_at,
      status: row.status as HoldStatus,
      reason: row.reason,
      paymentId: row.payment_id,
      bookingId: row.booking_id,
      postedAmountMinor: row.posted_amount_minor === null ? null : BigInt(row.posted_amount_minor),
      entryId: row.entry_id,
    },
    closedByEventId: row.closed_by_event_id,
  };
}

export interface EscrowRow {
  readonly escrow_id: string;
  readonly tenant_id: string;
  readonly payment_id: string | null;
  readonly booking_id: string | null;
  readonly status: string;
  readonly currency: string;
  readonly captured_minor: string;
  readonly platform_fee_minor: string;
  readonly merchant_share_minor: string;
  readonly fee_bps: number | null;
  readonly fee_rule: string | null;
  readonly fee_schedule_version: string | null;
  readonly capture_entry_id: string;
  readonly refunded_minor: string;
  readonly refunded_platform_fee_minor: string;
  readonly release_entry_id: string | null;
  readonly disputed_at: Date | null;
  readonly version: string;
}

export const ESCROW_COLUMNS =
  'escrow_id, tenant_id, payment_id, booking_id, status, currency, captured_minor, platform_fee_minor, merchant_share_minor, fee_bps, fee_rule, fee_schedule_version, capture_entry_id, refunded_minor, refunded_platform_fee_minor, release_entry_id, disputed_at, version';

export function escrowOf(row: EscrowRow): StoredEscrow {
  const currency = currencyOf(row.currency);
  const money = (text: string) => ({ amountMinor: BigInt(text), currency });
  return {
    escrow: {
      escrowId: row.escrow_id,
      tenantId: row.tenant_id,
      bookingId: row.booking_id,
      paymentId: row.payment_id,
      status: row.status as EscrowStatus,
      split: {
        captured: money(row.captured_minor),
        platformFee: money(row.platform_fee_minor),
        merchantShare: money(row.merchant_share_minor),
        feeBps: row.fee_bps,
        feeRule: row.fee_rule,
        feeScheduleVersion: row.fee_schedule_version,
      },
      captureEntryId: row.capture_entry_id,
      refundedMinor: BigInt(row.refunded_minor),
      refundedPlatformFeeMinor: BigInt(row.refunded_platform_fee_minor),
      releaseEntryId: row.release_entry_id,
      disputedAt: row.disputed_at,
    },
    version: BigInt(row.version),
  };
}

export interface BreakRow {
  readonly break_id: string;
  readonly tenant_id: string;
  readonly kind: string;
  readonly code: string;
  readonly reason: string;
  readonly fact_event_type: string;
  readonly payment_id: string | null;
  readonly booking_id: string | null;
  readonly amount_minor: string | null;
  readonly currency: string | null;
  readonly suspense_entry_id: string | null;
}

export const BREAK_COLUMNS = 'break_id, tenant_id, kind, code, reason, fact_event_type, payment_id, booking_id, amount_minor, currency, suspense_entry_id';

/** The kind is one of BreakKind: the table's CHECK constraint holds it to the list. */
export function breakOfRow(row: BreakRow): LedgerBreak {
  return {
    breakId: row.break_id,
    tenantId: row.tenant_id,
    kind: row.kind as BreakKind,
    code: row.code as LedgerErrorCode,
    reason: row.reason,
    factEventType: row.fact_event_type,
    paymentId: row.payment_id,
    bookingId: row.booking_id,
    amount: row.amount_minor === null || row.currency === null ? null : { amountMinor: BigInt(row.amount_minor), currency: row.currency },
    suspenseEntryId: row.suspense_entry_id,
  };
}
