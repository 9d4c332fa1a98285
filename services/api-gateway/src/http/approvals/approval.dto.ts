import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import type { ApprovalEntity, CreateApiKeyDetails, RefundPaymentDetails, SetRefundPolicyDetails } from '../../auth/approval.entity';
import { RefundTermsView } from '../refund-policy/refund-policy.dto';
import { CreatedApiKeyView } from '../api-keys/api-key.dto';
import { RefundView } from '../payments/refund.view';
import { MoneyView, PageView } from '../views';

const STATUSES = ['PENDING', 'APPROVED', 'REFUSED', 'EXPIRED'] as const;

export class ApprovalDetailsView {
  @ApiProperty({ type: String, example: 'ops owner key' })
  name!: string;

  @ApiProperty({ type: String, example: 'owner' })
  role!: string;

  @ApiProperty({ type: [String], example: [] })
  scopes!: string[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  expiresAt!: string | null;
}

export class ApprovalRefundView {
  @ApiProperty({ type: String, format: 'uuid' })
  paymentId!: string;

  @ApiProperty({ type: String, format: 'uuid', description: 'The refund waiting for this approval (GET /v1/payments/{paymentId}/refunds/{refundId}).' })
  refundId!: string;

  @ApiProperty({ type: MoneyView })
  amount!: MoneyView;

  @ApiProperty({ type: String, example: 'GOODWILL' })
  reason!: string;
}

export class ApprovalView {
  @ApiProperty({ type: String, format: 'uuid', example: '0b7e4c1a-6f2d-4c3e-9a51-2d8f0e6b7c9a' })
  id!: string;

  @ApiProperty({ type: String, example: 'acme-rooms' })
  merchantId!: string;

  @ApiProperty({ enum: ['create_api_key', 'refund_payment', 'set_refund_policy'], example: 'create_api_key' })
  operation!: string;

  @ApiProperty({ type: ApprovalDetailsView, nullable: true, description: 'create_api_key: the key approval would create (never a secret).' })
  details!: ApprovalDetailsView | null;

  @ApiProperty({ type: ApprovalRefundView, nullable: true, description: 'refund_payment: the refund approval would send to payment.' })
  refund!: ApprovalRefundView | null;

  @ApiProperty({ type: RefundTermsView, nullable: true, description: "set_refund_policy: the merchant's terms approval would send to booking." })
  policy!: RefundTermsView | null;

  @ApiProperty({ enum: STATUSES, example: 'PENDING', description: 'EXPIRED: nobody decided before expiresAt.' })
  status!: string;

  @ApiProperty({ type: String, example: 'staff:alice' })
  requestedBy!: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2030-01-01T10:00:00.000Z' })
  requestedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2030-01-02T10:00:00.000Z' })
  expiresAt!: string;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'Someone other than requestedBy.' })
  decidedBy!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  decidedAt!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  decisionReason!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'What approval created or sent (the key id, the refund id).' })
  resultId!: string | null;
}

export class ApprovalPage extends PageView {
  @ApiProperty({ type: [ApprovalView] })
  data!: ApprovalView[];
}

export class ApprovedView {
  @ApiProperty({ type: ApprovalView })
  approval!: ApprovalView;

  @ApiProperty({ type: CreatedApiKeyView, nullable: true, description: 'create_api_key: the key the approval created, whole, shown this once.' })
  key!: CreatedApiKeyView | null;

  @ApiProperty({ type: RefundView, nullable: true, description: 'refund_payment: the refund, now PENDING (sent to payment).' })
  refund!: RefundView | null;
}

export class RefuseBody {
  @ApiPropertyOptional({ type: String, example: 'not requested by the merchant', description: 'Why, 1..200 characters.' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  reason?: string;
}

/** The request as the API shows it, its status as of `now` (a pending one past expiry is EXPIRED). */
export function approvalView(row: ApprovalEntity, now: Date): ApprovalView {
  const expired = row.status === 'PENDING' && row.expiresAt.getTime() <= now.getTime();
  const key = row.operation === 'create_api_key' ? (row.details as CreateApiKeyDetails) : null;
  const refund = row.operation === 'refund_payment' ? (row.details as RefundPaymentDetails) : null;
  const policy = row.operation === 'set_refund_policy' ? (row.details as SetRefundPolicyDetails) : null;
  return {
    id: row.id,
    merchantId: row.merchantId,
    operation: row.operation,
    details: key === null ? null : { ...key, scopes: [...key.scopes] },
    refund: refund === null ? null : { paymentId: refund.paymentId, refundId: refund.refundId, amount: { amountMinor: Number(refund.amountMinor), currency: refund.currency }, reason: refund.reason },
    policy: policy === null ? null : { tiers: policy.tiers.map((tier) => ({ minNoticeSeconds: Math.floor(tier.minNotice_ms / 1_000), refundBp: tier.refund_bp })), otherwiseBp: policy.otherwise_bp, reason: policy.reason },
    status: expired ? 'EXPIRED' : row.status,
    requestedBy: row.requestedBy,
    requestedAt: row.requestedAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt === null ? null : row.decidedAt.toISOString(),
    decisionReason: row.decisionReason,
    resultId: row.resultId,
  };
}
