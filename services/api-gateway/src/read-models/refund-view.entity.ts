import { Column, Entity, PrimaryColumn } from 'typeorm';
import { BIGINT, ReflectsEvent } from './read-model.entities';

export const REFUND_VIEW_STATUSES = ['AWAITING_APPROVAL', 'PENDING', 'SUCCEEDED', 'FAILED', 'REJECTED', 'CANCELLED'] as const;
export type RefundViewStatus = (typeof REFUND_VIEW_STATUSES)[number];
export const TERMINAL_REFUND_STATUSES: ReadonlySet<string> = new Set<string>(['SUCCEEDED', 'FAILED', 'REJECTED', 'CANCELLED', 'EXPIRED']);

/** What a reader sees: a refund whose approval expired undecided is EXPIRED (it is never sent). */
export function effectiveRefundStatus(row: Pick<RefundViewEntity, 'status' | 'approvalExpiresAt'>, now: Date): RefundViewStatus | 'EXPIRED' {
  return row.status === 'AWAITING_APPROVAL' && row.approvalExpiresAt !== null && row.approvalExpiresAt.getTime() <= now.getTime() ? 'EXPIRED' : row.status;
}

/** A refund of a payment as the API knows it (migration 12). */
@Entity({ name: 'refund_views' })
export class RefundViewEntity extends ReflectsEvent {
  @PrimaryColumn({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @PrimaryColumn({ type: 'uuid', name: 'refund_id' })
  refundId!: string;

  @Column({ type: 'text', name: 'payment_id' })
  paymentId!: string;

  @Column({ type: 'text', name: 'booking_id' })
  bookingId!: string;

  @Column({ type: 'text' })
  status!: RefundViewStatus;

  @Column({ type: 'bigint', name: 'amount_minor', transformer: BIGINT })
  amountMinor!: bigint;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ type: 'text' })
  reason!: string;

  /** `type:id` of whoever asked through the API; null for a refund that entered by an event. */
  @Column({ type: 'text', name: 'requested_by', nullable: true })
  requestedBy!: string | null;

  @Column({ type: 'text', name: 'psp_refund_id', nullable: true })
  pspRefundId!: string | null;

  @Column({ type: 'text', name: 'failure_code', nullable: true })
  failureCode!: string | null;

  @Column({ type: 'text', name: 'rejection_code', nullable: true })
  rejectionCode!: string | null;

  @Column({ type: 'text', name: 'rejection_detail', nullable: true })
  rejectionDetail!: string | null;

  /** AWAITING_APPROVAL: the four-eyes request it waits for, and when that lapses. */
  @Column({ type: 'uuid', name: 'approval_id', nullable: true })
  approvalId!: string | null;

  @Column({ type: 'timestamptz', name: 'approval_expires_at', nullable: true })
  approvalExpiresAt!: Date | null;

  /** REJECTED: what remained refundable when payment refused it. */
  @Column({ type: 'bigint', name: 'refundable_minor', nullable: true, transformer: BIGINT })
  refundableMinor!: bigint | null;
}
