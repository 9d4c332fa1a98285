import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { BIGINT } from '../read-models/read-model.entities';

/** A merchant: the tenant every other gateway row belongs to. Created by a platform admin. */
@Entity({ name: 'merchants' })
export class MerchantEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text' })
  name!: string;

  /** ISO 4217 code the merchant settles in by default. */
  @Column({ type: 'text', name: 'default_currency' })
  defaultCurrency!: string;

  /** A refund asked for by staff above this (minor units) takes a second person's approval; null: never. */
  @Column({ type: 'bigint', name: 'refund_approval_threshold_minor', nullable: true, transformer: BIGINT })
  refundApprovalThresholdMinor!: bigint | null;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;
}
