import { randomUUID } from 'node:crypto';
import { RefundPayment } from '@txn/contracts';
import type { EventPublisher } from '@txn/nest-messaging';
import { fromEntityManager } from '@txn/sql';
import type { EntityManager } from 'typeorm';
import type { RefundPaymentDetails } from '../../auth/approval.entity';
import { PaymentViewEntity } from '../../read-models/read-model.entities';
import { RefundViewEntity } from '../../read-models/refund-view.entity';
import { commandEnvelope, type CommandCaller } from '../command-envelope';

export interface RefundRequest {
  /** Chosen by the gateway; an idempotent replay answers the stored response, naming the same refund. */
  readonly refundId: string;
  readonly paymentId: string;
  readonly amount: { readonly amountMinor: bigint; readonly currency: string };
  readonly reason: string;
}

/** What the API refuses before asking payment; each names the figures a client acts on. */
export type RefundRefusal =
  | { readonly kind: 'payment-not-found'; readonly paymentId: string }
  | { readonly kind: 'not-refundable'; readonly paymentId: string; readonly currentStatus: string }
  | { readonly kind: 'currency-mismatch'; readonly paymentId: string; readonly currency: string }
  | { readonly kind: 'exceeds-refundable'; readonly paymentId: string; readonly refundable: { readonly amountMinor: bigint; readonly currency: string } };

export class RefundRefusedError extends Error {
  constructor(readonly refusal: RefundRefusal) {
    super(`refund refused: ${refusal.kind}`);
    this.name = 'RefundRefusedError';
  }
}

const REFUNDABLE_STATUSES = new Set(['CAPTURED', 'PARTIALLY_REFUNDED']);

/**
 * What the API may still ask to refund: captured, minus refunds the PSP confirmed, minus the API's
 * own refunds not settled yet. The read model can only lag behind payment, and a lag makes this
 * figure larger, never smaller (refunds only add up), so a request above it is certainly too much;
 * a request below it may still be refused by payment, which judges under the payment's row lock.
 */
export function refundableMinor(payment: Pick<PaymentViewEntity, 'capturedMinor' | 'refundedMinor'>, pendingMinor: bigint): bigint {
  const remaining = (payment.capturedMinor ?? 0n) - (payment.refundedMinor ?? 0n) - pendingMinor;
  return remaining > 0n ? remaining : 0n;
}

/** The refusal of a request against the payment as the read model knows it, or null to send it. */
export function refusalOf(payment: PaymentViewEntity, request: RefundRequest, pendingMinor: bigint): RefundRefusal | null {
  const { paymentId } = request;
  if (!REFUNDABLE_STATUSES.has(payment.status)) return { kind: 'not-refundable', paymentId, currentStatus: payment.status };
  if (payment.currency !== request.amount.currency) return { kind: 'currency-mismatch', paymentId, currency: payment.currency };
  const refundable = refundableMinor(payment, pendingMinor);
  if (request.amount.amountMinor > refundable) return { kind: 'exceeds-refundable', paymentId, refundable: { amountMinor: refundable, currency: payment.currency } };
  return null;
}

/** A staff request above the merchant's threshold waits for a second person (decision 0032); an API key's never does. */
export function needsApproval(thresholdMinor: bigint | null, requestedByStaff: boolean, amountMinor: bigint): boolean {
  return requestedByStaff && thresholdMinor !== null && amountMinor > thresholdMinor;
}

/** The merchant's four-eyes threshold for refunds (migration 13), in the caller's tenant scope. */
async function approvalThresholdOf(manager: EntityManager, merchantId: string): Promise<bigint | null> {
  const rows = await manager.query<{ threshold: string | null }[]>('SELECT refund_approval_threshold_minor AS threshold FROM merchants WHERE id = $1', [merchantId]);
  const threshold = rows[0]?.threshold ?? null;
  return threshold === null ? null : BigInt(threshold);
}

/** How a refund that needs four eyes is put to a second person: the approval request, in the same transaction. */
export interface RefundApprovals {
  readonly requestedByStaff: boolean;
  request(manager: EntityManager, approvalId: string, details: RefundPaymentDetails): Promise<{ readonly expiresAt: Date }>;
}

/** The payment, locked, and what the API's own unsettled refunds of it hold back (a refund awaiting an approval that has not lapsed counts). */
async function lockedPayment(manager: EntityManager, paymentId: string, now: Date, excludingRefundId: string | null): Promise<{ payment: PaymentViewEntity; pendingMinor: bigint }> {
  const payment = await manager.findOne(PaymentViewEntity, { where: { paymentId }, lock: { mode: 'pessimistic_write' } });
  if (payment === null) throw new RefundRefusedError({ kind: 'payment-not-found', paymentId });
  const query = manager
    .createQueryBuilder(RefundViewEntity, 'r')
    .select('COALESCE(SUM(r.amount_minor), 0)', 'pending')
    .where("r.payment_id = :paymentId AND (r.status = 'PENDING' OR (r.status = 'AWAITING_APPROVAL' AND r.approval_expires_at > :now))", { paymentId, now });
  if (excludingRefundId !== null) query.andWhere('r.refund_id <> :excluded', { excluded: excludingRefundId });
  const pending = await query.getRawOne<{ pending: string }>();
  return { payment, pendingMinor: BigInt(pending?.pending ?? '0') };
}

async function sendRefund(manager: EntityManager, publisher: EventPublisher, caller: CommandCaller, payment: PaymentViewEntity, refund: Pick<RefundViewEntity, 'refundId' | 'amountMinor' | 'currency' | 'reason'>, now: Date): Promise<void> {
  // Keyed by the payment (its commands and events stay in one partition), correlated by the booking (the saga).
  const envelope = { ...commandEnvelope(RefundPayment.eventType, payment.bookingId, caller, now), aggregateId: payment.paymentId };
  const amount = { amountMinor: refund.amountMinor, currency: refund.currency };
  await publisher.publish(fromEntityManager(manager), RefundPayment, { envelope, paymentId: payment.paymentId, bookingId: payment.bookingId, refundId: refund.refundId, amount, reason: refund.reason });
}

/**
 * POST /v1/payments/{id}/refunds, in one transaction: the payment's row is locked first, so two
 * requests for one payment are judged one after the other, each counting the other's. Then either
 * the PENDING refund row and RefundPayment in the outbox, or (staff, above the merchant's
 * threshold) the row AWAITING_APPROVAL and its four-eyes request.
 */
export async function requestRefund(manager: EntityManager, publisher: EventPublisher, caller: CommandCaller, request: RefundRequest, approvals: RefundApprovals, now: Date): Promise<RefundViewEntity> {
  const { payment, pendingMinor } = await lockedPayment(manager, request.paymentId, now, null);
  const refusal = refusalOf(payment, request, pendingMinor);
  if (refusal !== null) throw new RefundRefusedError(refusal);
  const awaiting = needsApproval(await approvalThresholdOf(manager, caller.merchantId), approvals.requestedByStaff, request.amount.amountMinor);
  const approvalId = awaiting ? randomUUID() : null;
  const row = manager.create(RefundViewEntity, {
    merchantId: caller.merchantId,
    refundId: request.refundId,
    paymentId: payment.paymentId,
    bookingId: payment.bookingId,
    status: awaiting ? 'AWAITING_APPROVAL' : 'PENDING',
    amountMinor: request.amount.amountMinor,
    currency: request.amount.currency,
    reason: request.reason,
    requestedBy: `${caller.actor.type}:${caller.actor.id}`,
    version: 1n,
    createdAt: now,
    updatedAt: now,
    appliedAt: now,
  });
  if (approvalId === null) {
    await manager.insert(RefundViewEntity, row);
    await sendRefund(manager, publisher, caller, payment, row, now);
  } else {
    const details = { paymentId: payment.paymentId, refundId: request.refundId, amountMinor: request.amount.amountMinor.toString(), currency: request.amount.currency, reason: request.reason };
    // The approval's expiry is known once it is requested; the row is written with it (the constraint wants both).
    const approval = await approvals.request(manager, approvalId, details);
    await manager.insert(RefundViewEntity, { ...row, approvalId, approvalExpiresAt: approval.expiresAt });
  }
  return manager.findOneByOrFail(RefundViewEntity, { refundId: request.refundId });
}

/**
 * A refund_payment request approved by a second person: judged again now (other refunds may have
 * happened while it waited), then sent as the approver's act, in the approval's transaction.
 */
export async function sendApprovedRefund(manager: EntityManager, publisher: EventPublisher, approver: CommandCaller, details: RefundPaymentDetails, now: Date): Promise<RefundViewEntity> {
  const refund = await manager.findOne(RefundViewEntity, { where: { refundId: details.refundId }, lock: { mode: 'pessimistic_write' } });
  if (refund?.status !== 'AWAITING_APPROVAL') throw new Error(`refund ${details.refundId} does not await an approval (${refund?.status ?? 'missing'})`);
  const { payment, pendingMinor } = await lockedPayment(manager, details.paymentId, now, details.refundId);
  const refusal = refusalOf(payment, { refundId: refund.refundId, paymentId: refund.paymentId, amount: { amountMinor: refund.amountMinor, currency: refund.currency }, reason: refund.reason }, pendingMinor);
  if (refusal !== null) throw new RefundRefusedError(refusal);
  await manager.update(RefundViewEntity, { merchantId: refund.merchantId, refundId: refund.refundId }, { status: 'PENDING', version: refund.version + 1n, updatedAt: now, appliedAt: now });
  await sendRefund(manager, publisher, approver, payment, refund, now);
  return manager.findOneByOrFail(RefundViewEntity, { refundId: refund.refundId });
}

/** A refund_payment request refused: the waiting refund ends CANCELLED, never sent. */
export async function cancelAwaitingRefund(manager: EntityManager, refundId: string, now: Date): Promise<void> {
  await manager
    .createQueryBuilder()
    .update(RefundViewEntity)
    .set({ status: 'CANCELLED', version: () => 'version + 1', updatedAt: now, appliedAt: now })
    .where("refund_id = :refundId AND status = 'AWAITING_APPROVAL'", { refundId })
    .execute();
}
