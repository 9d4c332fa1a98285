import { uuidV5, type Checked } from '@txn/domain-kernel';
import { accountId, parseAccountId, type AccountCode } from './accounts';
import { ledgerError, type LedgerErrorCode } from './errors';
import { postEntry, type JournalEntry } from './journal-entry';
import type { LedgerBreak } from './suspense';

/**
 * Where a person may say money booked to SUSPENSE belongs:
 * - MERCHANT_PAYABLE: the merchant is owed it (money in) or bears it (a refund out);
 * - PSP_CLEARING: it never really moved (the PSP's own records say so): the suspense entry is undone;
 * - PLATFORM_FEE_REVENUE / PLATFORM_FEE_REFUNDS: the platform keeps it, or bears the refund.
 * Not ESCROW: an escrow is one booking's funded record with its own release and refund rules, which
 * an adjusting entry cannot create; and never SUSPENSE itself.
 */
export const SUSPENSE_TARGETS = ['MERCHANT_PAYABLE', 'PSP_CLEARING', 'PLATFORM_FEE_REVENUE', 'PLATFORM_FEE_REFUNDS'] as const satisfies readonly AccountCode[];
export type SuspenseTarget = (typeof SUSPENSE_TARGETS)[number];

export function isSuspenseTarget(code: string): code is SuspenseTarget {
  return (SUSPENSE_TARGETS as readonly string[]).includes(code);
}

/** One adjusting entry per break, whoever asks and however often: its id is a UUID v5 of the break id. */
const EXPLANATION_ENTRY_NAMESPACE = '3c9a7e52-4d1b-5f8e-a6c0-2b7d9e1f4a38';

export function explanationEntryId(breakId: string): string {
  return uuidV5(EXPLANATION_ENTRY_NAMESPACE, breakId.toLowerCase());
}

export interface SuspenseExplanation {
  readonly target: SuspenseTarget;
  /** Who explains it (a person's id), and why: both go into the entry's reason. */
  readonly explainedBy: string;
  readonly reason: string;
}

/**
 * The adjusting entry that clears one break's suspense: the suspense entry's SUSPENSE line, taken
 * back out of SUSPENSE into `target` (money in: debit SUSPENSE, credit the target; money out: the
 * reverse), for the same amount, payment and booking. SUSPENSE for the break nets to zero, so
 * reconciliation sees it explained. Refused: a break that booked nothing to SUSPENSE, an entry
 * that is not that break's suspense entry, a target outside SUSPENSE_TARGETS.
 */
export function suspenseClearingEntry(raised: LedgerBreak, suspense: JournalEntry | undefined, explanation: SuspenseExplanation): Checked<JournalEntry, LedgerErrorCode> {
  if (raised.suspenseEntryId === null) return ledgerError('INVALID_ENTRY', `break ${raised.breakId} (${raised.kind}) booked no money to SUSPENSE: there is nothing to move`);
  if (suspense === undefined || suspense.entryId !== raised.suspenseEntryId.toLowerCase() || suspense.entryType !== 'SUSPENSE') {
    return ledgerError('INVALID_ENTRY', `entry ${raised.suspenseEntryId} is not break ${raised.breakId}'s suspense entry`);
  }
  if (!isSuspenseTarget(explanation.target)) return ledgerError('UNKNOWN_ACCOUNT', `"${String(explanation.target)}" is not a place suspense may be moved to (${SUSPENSE_TARGETS.join(', ')})`);
  const suspenseLine = suspense.lines.find((line) => {
    const account = parseAccountId(line.accountId);
    return account.outcome === 'applied' && account.value.code === 'SUSPENSE';
  });
  if (suspenseLine === undefined) return ledgerError('INVALID_ENTRY', `entry ${suspense.entryId} has no SUSPENSE line`);
  if (explanation.explainedBy.trim() === '' || explanation.reason.trim() === '') return ledgerError('INVALID_ENTRY', 'an explanation names who gives it and why');
  const target = accountId({ code: explanation.target, tenantId: raised.tenantId, currency: suspenseLine.amount.currency });
  // Money in was credited to SUSPENSE: debit it back out. Money out was debited: credit it back.
  const [debit, credit] = suspenseLine.side === 'CREDIT' ? [suspenseLine.accountId, target] : [target, suspenseLine.accountId];
  return postEntry({
    entryId: explanationEntryId(raised.breakId),
    entryType: 'ADJUSTMENT',
    reason: `explains break ${raised.breakId} (${raised.kind}): ${explanation.reason.trim()} — by ${explanation.explainedBy.trim()}`,
    lines: [
      { accountId: debit, side: 'DEBIT', amount: suspenseLine.amount },
      { accountId: credit, side: 'CREDIT', amount: suspenseLine.amount },
    ],
    reversesEntryId: null,
    paymentId: suspense.paymentId,
    bookingId: suspense.bookingId,
  });
}
