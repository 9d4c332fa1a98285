import { Column, Entity, PrimaryColumn } from 'typeorm';
import { BIGINT } from './read-model.entities';

/** As booking stores and the contracts carry them: notice in ms, share in basis points. */
export interface StoredTier {
  readonly minNotice_ms: number;
  readonly refund_bp: number;
}

/** A merchant's refund policy as the API knows it (migration 15). */
@Entity({ name: 'refund_policy_views' })
export class RefundPolicyViewEntity {
  @PrimaryColumn({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'jsonb', nullable: true })
  tiers!: StoredTier[] | null;

  @Column({ type: 'integer', name: 'otherwise_bp', nullable: true })
  otherwiseBp!: number | null;

  /** Booking's version of the terms; 0: booking has applied none (the platform default holds). */
  @Column({ type: 'bigint', transformer: BIGINT })
  version!: bigint;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'text', name: 'set_by', nullable: true })
  setBy!: string | null;

  @Column({ type: 'uuid', name: 'last_event_id', nullable: true })
  lastEventId!: string | null;

  @Column({ type: 'timestamptz', name: 'last_event_at', nullable: true })
  lastEventAt!: Date | null;

  @Column({ type: 'jsonb', name: 'requested_tiers', nullable: true })
  requestedTiers!: StoredTier[] | null;

  @Column({ type: 'integer', name: 'requested_otherwise_bp', nullable: true })
  requestedOtherwiseBp!: number | null;

  @Column({ type: 'text', name: 'requested_reason', nullable: true })
  requestedReason!: string | null;

  @Column({ type: 'text', name: 'requested_by', nullable: true })
  requestedBy!: string | null;

  @Column({ type: 'timestamptz', name: 'requested_at', nullable: true })
  requestedAt!: Date | null;

  @Column({ type: 'uuid', name: 'requested_command_id', nullable: true })
  requestedCommandId!: string | null;

  /** A staff change waiting for its four-eyes request (then requestedCommandId is null), and when that lapses. */
  @Column({ type: 'uuid', name: 'requested_approval_id', nullable: true })
  requestedApprovalId!: string | null;

  @Column({ type: 'timestamptz', name: 'requested_approval_expires_at', nullable: true })
  requestedApprovalExpiresAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
