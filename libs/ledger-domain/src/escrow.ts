import { type CurrencyCode, type Money } from '@txn/money';
import { accountId, parseAccountId, type AccountCode } from './accounts';
import { ledgerError, type LedgerErrorCode } from './errors';
import { splitCapture, splitRefund, type FeeSplit, type FeeTermsApplied, type RefundSplit } from './fee-split';
import { placeHold, postHold, type Hold, type HoldChange } from './holds';
import { postEntry, type JournalEntry, type JournalLine } from './journal-entry';
import { checked, type Checked } from '@txn/domain-kernel';

/**
 * The saga's money movements, one function per step (docs/ledger.md has the table). Each returns the
 * entry to write plus the new state; the ledger service persists both in one transaction.
 */

/** Aligned with the contracts' EscrowStatus. */
export type EscrowStatus = 'FUNDED' | 'RELEASED' | 'REFUNDED';

/** The escrow of one booking: what was captured, how it splits, and what has gone back since. */
export interface Escrow {
  readonly escrowId: string;
  readonly tenantId: string;
  readonly bookingId: string | null;
  readonly paymentId: string | null;
  readonly status: EscrowStatus;
  /** Fixed at capture: a later change of the merchant's fee rate does not touch money already captured. */
  readonly split: FeeSplit;
  readonly captureEntryId: string;
  readonly refundedMinor: bigint;
  readonly refundedPlatformFeeMinor: bigint;
  readonly releaseEntryId: string | null;
  /** Set by a dispute (PaymentDisputed): the escrow is not released while it is set. */
  readonly disputedAt: Date | null;
}

function account(code: AccountCode, tenantId: string, currency: CurrencyCode): string {
  return accountId({ code, tenantId, currency });
}

export interface AuthorizationHoldInput {
  readonly holdId: string;
  readonly tenantId: string;
  readonly amount: Money;
  /** Mirrors the PSP authorization's expiry. */
  readonly expiresAt: Date | null;
  readonly reason: string;
  readonly paymentId: string;
  readonly bookingId: string;
}

/** PaymentAuthorized: a pending PSP clearing → customer funds held hold. Nothing is posted yet. */
export function authorizationHold(input: AuthorizationHoldInput, now: Date): Checked<HoldChange, LedgerErrorCode> {
  return placeHold(
    {
      holdId: input.holdId,
      debitAccountId: account('PSP_CLEARING', input.tenantId, input.amount.currency),
      creditAccountId: account('CUSTOMER_FUNDS_HELD', input.tenantId, input.amount.currency),
      amount: input.amount,
      expiresAt: input.expiresAt,
      reason: input.reason,
      paymentId: input.paymentId,
      bookingId: input.bookingId,
    },
    now,
  );
}

export interface CaptureInput {
  /** The PaymentCaptured event's id. */
  readonly entryId: string;
  readonly escrowId: string;
  readonly captured: Money;
  /** As the capture's event states it: decided by the payment service, booked as said. */
  readonly platformFee: Money;
  readonly terms: FeeTermsApplied;
  readonly reason: string;
  readonly now: Date;
}

/**
 * PaymentCaptured: posts the authorization hold for the captured amount (a smaller capture releases
 * the rest) into escrow, split at once into the merchant's share and the platform's unearned fee.
 */
export function captureToEscrow(
  hold: Hold,
  input: CaptureInput,
): Checked<{ readonly holdChange: HoldChange; readonly escrow: Escrow }, LedgerErrorCode> {
  const debit = parseAccountId(hold.debitAccountId);
  if (debit.outcome !== 'applied') return debit;
  if (debit.value.code !== 'PSP_CLEARING') {
    return ledgerError('UNKNOWN_ACCOUNT', `hold ${hold.holdId} is not an authorization hold`);
  }
  if (input.captured.currency !== hold.amount.currency) {
    return ledgerError('CURRENCY_MISMATCH', `a ${input.captured.currency} capture of a ${hold.amount.currency} hold`);
  }
  const split = splitCapture(input.captured, input.platformFee, input.terms);
  if (split.outcome !== 'applied') return split;
  const { tenantId, currency } = debit.value;
  const credits = [
    { accountId: account('ESCROW', tenantId, currency), amountMinor: split.value.merchantShare.amountMinor },
    { accountId: account('PLATFORM_FEE_ESCROW', tenantId, currency), amountMinor: split.value.platformFee.amountMinor },
  ].filter((credit) => credit.amountMinor > 0n);
  const holdChange = postHold(hold, {
    entryId: input.entryId,
    entryType: 'CAPTURE_TO_ESCROW',
    reason: input.reason,
    amountMinor: input.captured.amountMinor,
    credits,
    now: input.now,
  });
  if (holdChange.outcome !== 'applied') return holdChange;
  return checked({
    holdChange: holdChange.value,
    escrow: Object.freeze({
      escrowId: input.escrowId,
      tenantId,
      bookingId: hold.bookingId,
      paymentId: hold.paymentId,
      status: 'FUNDED',
      split: split.value,
      captureEntryId: input.entryId,
      refundedMinor: 0n,
      refundedPlatformFeeMinor: 0n,
      releaseEntryId: null,
      disputedAt: null,
    }),
  });
}

/** What is still in escrow: the captured split minus what refunds took back. */
export function escrowRemaining(escrow: Escrow): { readonly merchantShareMinor: bigint; readonly platformFeeMinor: bigint } {
  const refundedMerchantMinor = escrow.refundedMinor - escrow.refundedPlatformFeeMinor;
  return {
    merchantShareMinor: escrow.split.merchantShare.amountMinor - refundedMerchantMinor,
    platformFeeMinor: escrow.split.platformFee.amountMinor - escrow.refundedPlatformFeeMinor,
  };
}

function linesOf(
  currency: CurrencyCode,
  parts: readonly { readonly accountId: string; readonly side: JournalLine['side']; readonly amountMinor: bigint }[],
): JournalLine[] {
  return parts
    .filter((part) => part.amountMinor > 0n)
    .map((part) => ({ accountId: part.accountId, side: part.side, amount: { amountMinor: part.amountMinor, currency } }));
}

export interface EscrowRelease {
  readonly escrow: Escrow;
  readonly entry: JournalEntry;
  /** EscrowReleased's amounts: released = merchantAmount + platformFee. */
  readonly releasedAmount: Money;
  readonly merchantAmount: Money;
  readonly platformFee: Money;
}

/** BookingCompleted: what is left in escrow goes to the merchant payable, the fee becomes revenue. */
export function releaseEscrow(escrow: Escrow, entryId: string, reason: string): Checked<EscrowRelease, LedgerErrorCode> {
  if (escrow.status !== 'FUNDED') {
    return ledgerError('ESCROW_NOT_FUNDED', `escrow ${escrow.escrowId} is ${escrow.status}, nothing to release`);
  }
  if (escrow.disputedAt !== null) {
    return ledgerError('ESCROW_DISPUTED', `escrow ${escrow.escrowId} is held back: its charge was disputed at ${escrow.disputedAt.toISOString()}`);
  }
  const { tenantId } = escrow;
  const currency = escrow.split.captured.currency;
  const remaining = escrowRemaining(escrow);
  const entry = postEntry({
    entryId,
    entryType: 'ESCROW_RELEASE',
    reason,
    lines: linesOf(currency, [
      { accountId: account('ESCROW', tenantId, currency), side: 'DEBIT', amountMinor: remaining.merchantShareMinor },
      { accountId: account('MERCHANT_PAYABLE', tenantId, currency), side: 'CREDIT', amountMinor: remaining.merchantShareMinor },
      { accountId: account('PLATFORM_FEE_ESCROW', tenantId, currency), side: 'DEBIT', amountMinor: remaining.platformFeeMinor },
      { accountId: account('PLATFORM_FEE_REVENUE', tenantId, currency), side: 'CREDIT', amountMinor: remaining.platformFeeMinor },
    ]),
    paymentId: escrow.paymentId,
    bookingId: escrow.bookingId,
  });
  if (entry.outcome !== 'applied') return entry;
  return checked({
    escrow: Object.freeze({ ...escrow, status: 'RELEASED', releaseEntryId: entryId }),
    entry: entry.value,
    releasedAmount: { amountMinor: remaining.merchantShareMinor + remaining.platformFeeMinor, currency },
    merchantAmount: { amountMinor: remaining.merchantShareMinor, currency },
    platformFee: { amountMinor: remaining.platformFeeMinor, currency },
  });
}

export interface EscrowRefund {
  readonly escrow: Escrow;
  readonly entry: JournalEntry;
  readonly split: RefundSplit;
}

/**
 * PaymentRefunded: gives money back to the customer through the PSP, split proportionally between the
 * merchant's share and the fee (splitRefund). Before delivery it comes out of escrow; after delivery
 * out of the merchant payable and, for the fee, the fee-refunds contra revenue. The entry partly
 * reverses the capture, so it names it in reversesEntryId. Never more than captured in total.
 */
export function refundEscrow(
  escrow: Escrow,
  entryId: string,
  refund: Money,
  reason: string,
): Checked<EscrowRefund, LedgerErrorCode> {
  const split = splitRefund(escrow.split, escrow.refundedMinor, refund);
  if (split.outcome !== 'applied') return split;
  const { tenantId } = escrow;
  const currency = refund.currency;
  const [merchantSource, feeSource]: [AccountCode, AccountCode] =
    escrow.status === 'FUNDED' ? ['ESCROW', 'PLATFORM_FEE_ESCROW'] : ['MERCHANT_PAYABLE', 'PLATFORM_FEE_REFUNDS'];
  const entry = postEntry({
    entryId,
    entryType: 'REFUND',
    reason,
    lines: linesOf(currency, [
      { accountId: account(merchantSource, tenantId, currency), side: 'DEBIT', amountMinor: split.value.merchantPart.amountMinor },
      { accountId: account(feeSource, tenantId, currency), side: 'DEBIT', amountMinor: split.value.platformFeePart.amountMinor },
      { accountId: account('PSP_CLEARING', tenantId, currency), side: 'CREDIT', amountMinor: refund.amountMinor },
    ]),
    reversesEntryId: escrow.captureEntryId,
    paymentId: escrow.paymentId,
    bookingId: escrow.bookingId,
  });
  if (entry.outcome !== 'applied') return entry;
  const refundedMinor = escrow.refundedMinor + refund.amountMinor;
  return checked({
    escrow: Object.freeze({
      ...escrow,
      status: refundedMinor === escrow.split.captured.amountMinor ? 'REFUNDED' : escrow.status,
      refundedMinor,
      refundedPlatformFeeMinor: escrow.refundedPlatformFeeMinor + split.value.platformFeePart.amountMinor,
    }),
    entry: entry.value,
    split: split.value,
  });
}

/** Whether a stored entry is this refund of the escrow already (a redelivery), not another entry under its id. */
export function isSameRefund(existing: JournalEntry, escrow: Escrow, amount: Money): boolean {
  return (
    existing.entryType === 'REFUND' &&
    existing.reversesEntryId === escrow.captureEntryId &&
    existing.lines.some((line) => line.side === 'CREDIT' && line.amount.currency === amount.currency && line.amount.amountMinor === amount.amountMinor)
  );
}
