import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One Idempotency-Key of one merchant (or staff user): the request it named and, once done, its first response (migration 5). */
@Entity({ name: 'idempotency_records' })
export class IdempotencyRecordEntity {
  /** The caller's merchant, or `staff:<subject>` for platform staff. */
  @PrimaryColumn({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @PrimaryColumn({ type: 'text', name: 'idempotency_key' })
  idempotencyKey!: string;

  /** SHA-256 (hex) of method, path and canonical body. */
  @Column({ type: 'text', name: 'request_hash' })
  requestHash!: string;

  @Column({ type: 'text' })
  method!: string;

  @Column({ type: 'text' })
  path!: string;

  @Column({ type: 'text' })
  state!: 'claimed' | 'executed' | 'completed';

  /** Which execution holds the claim; a take-over replaces it, which fences the old one out. */
  @Column({ type: 'uuid', name: 'claim_token' })
  claimToken!: string;

  @Column({ type: 'timestamptz', name: 'lease_until' })
  leaseUntil!: Date;

  @Column({ type: 'integer', name: 'response_status', nullable: true })
  responseStatus!: number | null;

  @Column({ type: 'jsonb', name: 'response_headers', nullable: true })
  responseHeaders!: Record<string, string> | null;

  /** The body exactly as sent (JSON text), so a replay is byte for byte the first answer. */
  @Column({ type: 'text', name: 'response_body', nullable: true })
  responseBody!: string | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'completed_at', nullable: true })
  completedAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'expires_at' })
  expiresAt!: Date;
}
