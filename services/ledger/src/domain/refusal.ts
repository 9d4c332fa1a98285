import { type LedgerError, type LedgerErrorCode } from '@txn/ledger-domain';

/**
 * Why the ledger service did not apply something: the domain's reasons, plus what only the service
 * can tell (a hold or escrow it has never seen, a fee that disagrees with the merchant's rate).
 * `rejectionCode` and `reason` are LedgerRejected's fields.
 */
export type RejectionCode = LedgerErrorCode | 'HOLD_NOT_FOUND' | 'ESCROW_NOT_FOUND' | 'PLATFORM_FEE_MISMATCH' | 'UNKNOWN_FEE_RATE';

export interface Refusal {
  readonly rejectionCode: RejectionCode;
  readonly reason: string;
}

export function refusal(rejectionCode: RejectionCode, reason: string): Refusal {
  return { rejectionCode, reason };
}

export function refusalOf(error: LedgerError): Refusal {
  return { rejectionCode: error.code, reason: error.message };
}

/**
 * What a write did. `applied`: the value is what changed. `duplicate`: the same fact was already
 * written (a redelivery) and nothing changed; the value is what is stored. `rejected`: nothing
 * was written.
 */
export type Written<T, Stored = T> =
  | { readonly outcome: 'applied'; readonly value: T }
  | { readonly outcome: 'duplicate'; readonly stored: Stored }
  | { readonly outcome: 'rejected'; readonly refusal: Refusal };

export function applied<T>(value: T): { readonly outcome: 'applied'; readonly value: T } {
  return { outcome: 'applied', value };
}

export function duplicate<Stored>(stored: Stored): { readonly outcome: 'duplicate'; readonly stored: Stored } {
  return { outcome: 'duplicate', stored };
}

export function rejected(refused: Refusal): { readonly outcome: 'rejected'; readonly refusal: Refusal } {
  return { outcome: 'rejected', refusal: refused };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Entry, hold and escrow ids are event or payment ids: UUIDs (the database column type). */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}
