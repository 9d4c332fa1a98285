import { Column, Entity, PrimaryColumn } from 'typeorm';

export type EndpointStatus = 'ENABLED' | 'DISABLED';

/** A merchant's webhook endpoint (migration 14); its signing secret is derived, never stored. */
@Entity({ name: 'webhook_endpoints' })
export class WebhookEndpointEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @Column({ type: 'text' })
  url!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'text', name: 'event_types', array: true })
  eventTypes!: string[];

  @Column({ type: 'text' })
  status!: EndpointStatus;

  @Column({ type: 'integer', name: 'secret_version' })
  secretVersion!: number;

  /** After a rotation: until when the previous secret still signs too. */
  @Column({ type: 'timestamptz', name: 'previous_secret_valid_until', nullable: true })
  previousSecretValidUntil!: Date | null;

  @Column({ type: 'text', name: 'created_by' })
  createdBy!: string;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'text', name: 'updated_by' })
  updatedBy!: string;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
