import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What an approved create_api_key does: the key's spec, never a secret (the key is made on approval). */
export interface CreateApiKeyDetails {
  readonly name: string;
  readonly role: string;
  readonly scopes: string[];
  readonly expiresAt: string | null;
}

/** What an approved refund_payment does: send the refund that waits in refund_views (amount in minor units, as text: JSON has no bigint). */
export interface RefundPaymentDetails {
  readonly paymentId: string;
  readonly refundId: string;
  readonly amountMinor: string;
  readonly currency: string;
  readonly reason: string;
}

/** What an approved set_refund_policy does: send the change that waits on the merchant's refund-policy row. */
export interface SetRefundPolicyDetails {
  readonly tiers: { readonly minNotice_ms: number; readonly refund_bp: number }[];
  readonly otherwise_bp: number;
  readonly reason: string;
}

export type ApprovalOperation = 'create_api_key' | 'refund_payment' | 'set_refund_policy';
export type ApprovalDetails = CreateApiKeyDetails | RefundPaymentDetails | SetRefundPolicyDetails;

/** A four-eyes request: one person asks, a different one with approvals:decide decides, before it expires. */
@Entity({ name: 'approvals' })
export class ApprovalEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text' })
  operation!: ApprovalOperation;

  @Column({ type: 'jsonb' })
  details!: ApprovalDetails;

  /** As stored; a PENDING request past expiresAt is shown as EXPIRED and can no longer be decided. */
  @Column({ type: 'text' })
  status!: 'PENDING' | 'APPROVED' | 'REFUSED';

  @Column({ type: 'text', name: 'requested_by' })
  requestedBy!: string;

  @Column({ type: 'timestamptz', name: 'requested_at' })
  requestedAt!: Date;

  @Column({ type: 'timestamptz', name: 'expires_at' })
  expiresAt!: Date;

  @Column({ type: 'text', name: 'decided_by', nullable: true })
  decidedBy!: string | null;

  @Column({ type: 'timestamptz', name: 'decided_at', nullable: true })
  decidedAt!: Date | null;

  @Column({ type: 'text', name: 'decision_reason', nullable: true })
  decisionReason!: string | null;

  @Column({ type: 'text', name: 'result_id', nullable: true })
  resultId!: string | null;
}
