import { refusal, type Refused } from '@txn/domain-kernel';

/**
 * Why the ledger refused something. The first five are the `rejectionCode`s named by the
 * LedgerRejected contract; the rest are finer reasons the ledger service may map onto them.
 */
export type LedgerErrorCode =
  | 'UNBALANCED'
  | 'UNKNOWN_ACCOUNT'
  | 'CURRENCY_MISMATCH'
  | 'INSUFFICIENT_FUNDS'
  | 'DUPLICATE_CONFLICT'
  | 'INVALID_ENTRY'
  | 'INVALID_AMOUNT'
  | 'HOLD_NOT_PENDING'
  | 'HOLD_EXPIRED'
  | 'HOLD_NOT_EXPIRED'
  | 'POST_EXCEEDS_HOLD'
  | 'ESCROW_NOT_FUNDED'
  /** The customer disputed the charge: the escrow is held back from release until a person settles it. */
  | 'ESCROW_DISPUTED'
  | 'REFUND_EXCEEDS_CAPTURE'
  | 'INVALID_FEE'
  // What only the books as stored can tell: a hold or escrow never seen.
  | 'HOLD_NOT_FOUND'
  | 'ESCROW_NOT_FOUND';

/** A refusal in the one shape every domain uses (@txn/domain-kernel): the code and why. */
export type LedgerError = Refused<LedgerErrorCode>;

export function ledgerError(code: LedgerErrorCode, detail: string): LedgerError {
  return refusal(code, detail);
}
