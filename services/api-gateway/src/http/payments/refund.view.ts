import { ApiProperty } from '@nestjs/swagger';
import { effectiveRefundStatus, REFUND_VIEW_STATUSES, type RefundViewEntity } from '../../read-models/refund-view.entity';
import { FreshnessView, freshnessOf, money, MoneyView } from '../views';

export class RefundRejectionView {
  @ApiProperty({ type: String, example: 'EXCEEDS_REFUNDABLE', description: "payment's refusal code." })
  code!: string;

  @ApiProperty({ type: String })
  detail!: string;

  @ApiProperty({ type: MoneyView, nullable: true, description: 'What remained refundable when payment refused it.' })
  refundable!: MoneyView | null;
}

export class RefundView {
  @ApiProperty({ type: String, format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, format: 'uuid' })
  paymentId!: string;

  @ApiProperty({ type: String, format: 'uuid', description: 'The booking (saga) the payment belongs to.' })
  bookingId!: string;

  @ApiProperty({ enum: [...REFUND_VIEW_STATUSES, 'EXPIRED'], description: 'AWAITING_APPROVAL (four eyes) then PENDING, CANCELLED (refused) or EXPIRED (nobody decided in time); PENDING until payment settles it: SUCCEEDED (the PSP gave the money back), FAILED (the PSP refused; the payment needs a person), REJECTED (payment refused the request; nothing was asked of the PSP).' })
  status!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The four-eyes request it waited for (GET /v1/approvals/{id}).' })
  approvalId!: string | null;

  @ApiProperty({ type: MoneyView })
  amount!: MoneyView;

  @ApiProperty({ type: String })
  reason!: string;

  @ApiProperty({ type: String, nullable: true, example: 'API_KEY:key_…', description: 'Who asked through the API; null for a refund made otherwise (a cancellation by policy, the PSP dashboard).' })
  requestedBy!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 're_3Nf…' })
  pspRefundId!: string | null;

  @ApiProperty({ type: String, nullable: true, description: "FAILED: the PSP's reason." })
  failureCode!: string | null;

  @ApiProperty({ type: RefundRejectionView, nullable: true })
  rejection!: RefundRejectionView | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ type: FreshnessView })
  freshness!: FreshnessView;
}

export class RefundList {
  @ApiProperty({ type: [RefundView], description: 'Oldest first; a payment has at most 20 refunds, so one page holds them all.' })
  data!: RefundView[];
}

/** The refund as of `now` (one whose approval lapsed undecided is EXPIRED). */
export function refundView(row: RefundViewEntity, now: Date): RefundView {
  const amount = money(row.amountMinor, row.currency);
  if (amount === null) throw new Error(`refund ${row.refundId} without an amount`);
  return {
    id: row.refundId,
    paymentId: row.paymentId,
    bookingId: row.bookingId,
    status: effectiveRefundStatus(row, now),
    approvalId: row.approvalId,
    amount,
    reason: row.reason,
    requestedBy: row.requestedBy,
    pspRefundId: row.pspRefundId,
    failureCode: row.failureCode,
    rejection: row.rejectionCode === null ? null : { code: row.rejectionCode, detail: row.rejectionDetail ?? '', refundable: money(row.refundableMinor, row.currency) },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    freshness: freshnessOf(row),
  };
}
