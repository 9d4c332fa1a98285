import { type Money } from '@txn/money';
import { type SqlTransaction } from '@txn/sql';
import {
  captureToEscrow as captureRule,
  refundEscrow as refundRule,
  releaseEscrow as releaseRule,
  type CaptureInput,
  type Escrow,
  type EscrowRefund,
  type EscrowRelease,
  type HoldChange,
} from '@txn/ledger-domain';
import { applied, duplicate, isUuid, refusal, refusalOf, rejected, type Written } from '../domain/refusal';
import { loadEntry, lockHold, postEntry, writeHoldChange } from './ledger-repository';
import { ESCROW_COLUMNS, escrowOf, type EscrowRow, type StoredEscrow } from './rows';

/**
 * The escrow of one payment (escrow id = payment id, hold id = payment id): capture into it,
 * refunds out of it, release to the merchant. Each step locks the escrow (or the hold) row first,
 * so concurrent refunds of one payment are serialised and each sees the ones before it.
 */

export async function lockEscrow(tx: SqlTransaction, escrowId: string): Promise<StoredEscrow | undefined> {
  if (!isUuid(escrowId)) return undefined;
  const [row] = await tx.query<EscrowRow>(`SELECT ${ESCROW_COLUMNS} FROM escrows WHERE escrow_id = $1 FOR UPDATE`, [escrowId]);
  return row === undefined ? undefined : escrowOf(row);
}

async function insertEscrow(tx: SqlTransaction, escrow: Escrow): Promise<void> {
  const { split } = escrow;
  await tx.query(
    `INSERT INTO escrows (escrow_id, tenant_id, payment_id, booking_id, status, currency, captured_minor, platform_fee_minor,
                          merchant_share_minor, fee_bps, capture_entry_id, refunded_minor, refunded_platform_fee_minor, release_entry_id, version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1)`,
    [
      escrow.escrowId,
      escrow.tenantId,
      escrow.paymentId,
      escrow.bookingId,
      escrow.status,
      split.captured.currency,
      split.captured.amountMinor.toString(),
      split.platformFee.amountMinor.toString(),
      split.merchantShare.amountMinor.toString(),
      split.feeBps,
      escrow.captureEntryId.toLowerCase(),
      escrow.refundedMinor.toString(),
      escrow.refundedPlatformFeeMinor.toString(),
      escrow.releaseEntryId,
    ],
  );
}

/** Stores the escrow's new state; `before` guards against a write without the row lock. */
async function updateEscrow(tx: SqlTransaction, before: StoredEscrow, after: Escrow): Promise<StoredEscrow> {
  const rows = await tx.query<{ version: string }>(
    `UPDATE escrows SET status = $3, refunded_minor = $4, refunded_platform_fee_minor = $5, release_entry_id = $6,
                        version = version + 1, updated_at = now()
      WHERE escrow_id = $1 AND version = $2
     RETURNING version`,
    [after.escrowId, before.version.toString(), after.status, after.refundedMinor.toString(), after.refundedPlatformFeeMinor.toString(), after.releaseEntryId?.toLowerCase() ?? null],
  );
  const [row] = rows;
  if (row === undefined) throw new Error(`escrow ${after.escrowId} changed under its row lock (version ${before.version})`);
  return { escrow: after, version: BigInt(row.version) };
}

export interface Capture {
  readonly holdChange: HoldChange;
  readonly escrow: StoredEscrow;
}

/**
 * PaymentCaptured: posts the payment's authorization hold into escrow with the fee split.
 * Idempotent by the capture entry id (the event id): a redelivery is a duplicate.
 */
export async function captureToEscrow(
  tx: SqlTransaction,
  paymentId: string,
  input: Omit<CaptureInput, 'escrowId'> & {
    /** The fee the payment service computed (PaymentCaptured.platformFee): must equal the ledger's split. */
    readonly expectedPlatformFee?: Money;
  },
): Promise<Written<Capture, StoredEscrow>> {
  const stored = await lockHold(tx, paymentId);
  if (stored === undefined) return rejected(refusal('HOLD_NOT_FOUND', `no authorization hold for payment ${paymentId}`));
  if (stored.hold.status === 'POSTED' && stored.hold.entryId === input.entryId.toLowerCase()) {
    const escrow = await lockEscrow(tx, paymentId);
    if (escrow === undefined) throw new Error(`hold ${paymentId} is posted by ${input.entryId} but has no escrow`);
    return duplicate(escrow);
  }
  const captured = captureRule(stored.hold, { ...input, escrowId: paymentId });
  if (!captured.ok) return rejected(refusalOf(captured.error));
  const fee = captured.value.escrow.split.platformFee;
  const expected = input.expectedPlatformFee;
  if (expected !== undefined && (expected.currency !== fee.currency || expected.amountMinor !== fee.amountMinor)) {
    return rejected(
      refusal(
        'PLATFORM_FEE_MISMATCH',
        `payment ${paymentId}: the payment service's fee ${expected.amountMinor} ${expected.currency} differs from the ledger's ${fee.amountMinor} ${fee.currency} at ${input.feeBps} bps`,
      ),
    );
  }
  const written = await writeHoldChange(tx, captured.value.holdChange, input.entryId);
  if (written.outcome !== 'applied') {
    if (written.outcome === 'duplicate') throw new Error(`capture of hold ${paymentId}: the hold was placed, not posted`);
    return written;
  }
  await insertEscrow(tx, captured.value.escrow);
  return applied({ holdChange: written.value, escrow: { escrow: captured.value.escrow, version: 1n } });
}

export interface Refund {
  readonly refund: EscrowRefund;
  readonly escrow: StoredEscrow;
}

/**
 * PaymentRefunded: gives `amount` back out of the escrow (or, after release, out of the merchant
 * payable). Never more than captured in total: the escrow row is locked, the domain refuses the
 * excess (REFUND_EXCEEDS_CAPTURE), and a CHECK constraint backs it. Idempotent by entry id.
 */
export async function refundEscrow(
  tx: SqlTransaction,
  escrowId: string,
  input: { readonly entryId: string; readonly amount: Money; readonly reason: string },
): Promise<Written<Refund, StoredEscrow>> {
  const stored = await lockEscrow(tx, escrowId);
  if (stored === undefined) return rejected(refusal('ESCROW_NOT_FOUND', `no escrow ${escrowId}`));
  if (!isUuid(input.entryId)) return rejected(refusal('INVALID_ENTRY', `entry id "${input.entryId}" is not a UUID`));
  // Checked before recomputing: after this refund the escrow has changed, so a recomputed entry
  // would differ from the written one and look like a conflict.
  const existing = await loadEntry(tx, input.entryId.toLowerCase());
  if (existing !== undefined) {
    const sameRefund =
      existing.entryType === 'REFUND' &&
      existing.reversesEntryId === stored.escrow.captureEntryId &&
      existing.lines.some((line) => line.side === 'CREDIT' && line.amount.currency === input.amount.currency && line.amount.amountMinor === input.amount.amountMinor);
    return sameRefund ? duplicate(stored) : rejected(refusal('DUPLICATE_CONFLICT', `entry ${input.entryId} exists and is not this refund`));
  }
  const refunded = refundRule(stored.escrow, input.entryId, input.amount, input.reason);
  if (!refunded.ok) return rejected(refusalOf(refunded.error));
  const posted = await postEntry(tx, refunded.value.entry);
  if (posted.outcome !== 'applied') {
    if (posted.outcome === 'duplicate') throw new Error(`refund entry ${input.entryId} appeared under the escrow lock`);
    return posted;
  }
  const escrow = await updateEscrow(tx, stored, refunded.value.escrow);
  return applied({ refund: { ...refunded.value, entry: posted.value }, escrow });
}

export interface Release {
  readonly release: EscrowRelease;
  readonly escrow: StoredEscrow;
}

/** A BookingCompleted seen before the capture: kept until the escrow exists. */
export interface ReleaseRequest {
  readonly paymentId: string;
  readonly bookingId: string;
  readonly entryId: string;
  readonly reason: string;
}

export type ReleaseWrite = Written<Release, StoredEscrow> | { readonly outcome: 'deferred'; readonly request: ReleaseRequest };

/**
 * BookingCompleted: what is left in escrow goes to the merchant payable, the fee becomes revenue.
 * When the capture has not arrived yet (another topic), the request is stored and the capture
 * applies it (`deferred`). Idempotent by entry id (BookingCompleted's event id).
 */
export async function releaseEscrow(tx: SqlTransaction, request: ReleaseRequest): Promise<ReleaseWrite> {
  if (!isUuid(request.entryId) || !isUuid(request.paymentId) || !isUuid(request.bookingId)) {
    return rejected(refusal('INVALID_ENTRY', 'release: entry, payment and booking ids must be UUIDs'));
  }
  const stored = await lockEscrow(tx, request.paymentId);
  if (stored === undefined) {
    const rows = await tx.query<{ entry_id: string }>(
      `INSERT INTO escrow_release_requests (payment_id, entry_id, booking_id, reason) VALUES ($1, $2, $3, $4)
       ON CONFLICT (payment_id) DO UPDATE SET payment_id = escrow_release_requests.payment_id
       RETURNING entry_id`,
      [request.paymentId, request.entryId, request.bookingId, request.reason],
    );
    const kept = rows[0]?.entry_id;
    if (kept !== request.entryId.toLowerCase()) {
      return rejected(refusal('DUPLICATE_CONFLICT', `payment ${request.paymentId} already has a release requested by ${kept}`));
    }
    return { outcome: 'deferred', request };
  }
  if (stored.escrow.releaseEntryId === request.entryId.toLowerCase()) return duplicate(stored);
  const released = releaseRule(stored.escrow, request.entryId, request.reason);
  if (!released.ok) return rejected(refusalOf(released.error));
  const posted = await postEntry(tx, released.value.entry);
  if (posted.outcome !== 'applied') {
    if (posted.outcome === 'duplicate') throw new Error(`release entry ${request.entryId} exists but escrow ${request.paymentId} is not released by it`);
    return posted;
  }
  const escrow = await updateEscrow(tx, stored, released.value.escrow);
  return applied({ release: { ...released.value, entry: posted.value }, escrow });
}

/** The release a BookingCompleted asked for before the capture, if any; removed once taken. */
export async function takeReleaseRequest(tx: SqlTransaction, paymentId: string): Promise<ReleaseRequest | undefined> {
  const [row] = await tx.query<{ payment_id: string; booking_id: string; entry_id: string; reason: string }>(
    'DELETE FROM escrow_release_requests WHERE payment_id = $1 RETURNING payment_id, booking_id, entry_id, reason',
    [paymentId],
  );
  return row === undefined ? undefined : { paymentId: row.payment_id, bookingId: row.booking_id, entryId: row.entry_id, reason: row.reason };
}
