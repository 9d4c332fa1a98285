import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A bookable resource as the API shows it (migration 9). */
@Entity({ name: 'resource_views' })
export class ResourceViewEntity {
  @PrimaryColumn({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @PrimaryColumn({ type: 'text', name: 'resource_id' })
  resourceId!: string;

  /** The name booking registered (or, while REQUESTED for a new one, the name asked for). */
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  status!: 'REQUESTED' | 'REGISTERED';

  /** A rename asked for and not yet registered by booking. */
  @Column({ type: 'text', name: 'requested_name', nullable: true })
  requestedName!: string | null;

  @Column({ type: 'uuid', name: 'last_event_id', nullable: true })
  lastEventId!: string | null;

  @Column({ type: 'timestamptz', name: 'last_event_at', nullable: true })
  lastEventAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}
