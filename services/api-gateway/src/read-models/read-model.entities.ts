import { Column, Entity, PrimaryColumn, type ValueTransformer } from 'typeorm';

/** bigint columns as bigint (pg returns them as text; a Number would lose cents above 2^53). */
export const BIGINT: ValueTransformer = {
  to: (value: bigint | null | undefined) => (value === null || value === undefined ? value : value.toString()),
  from: (value: string | null) => (value === null ? null : BigInt(value)),
};

/** The columns every read-model row has: the last event it reflects (decision 0025). */
export abstract class ReflectsEvent {
  @Column({ type: 'bigint', transformer: BIGINT })
  version!: bigint;

  @Column({ type: 'uuid', name: 'last_event_id', nullable: true })
  lastEventId!: string | null;

  @Column({ type: 'text', name: 'last_event_type', nullable: true })
  lastEventType!: string | null;

  @Column({ type: 'timestamptz', name: 'last_event_at', nullable: true })
  lastEventAt!: Date | null;

  @Column({ type: 'text', name: 'last_topic', nullable: true })
  lastTopic!: string | null;

  @Column({ type: 'integer', name: 'last_partition', nullable: true })
  lastPartition!: number | null;

  @Column({ type: 'bigint', name: 'last_offset', nullable: true })
  lastOffset!: string | null;

  @Column({ type: 'timestamptz', name: 'applied_at' })
  appliedAt!: Date;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at' })
  updatedAt!: Date;
}

/** A booking as the gateway knows it from booking's events (and its own REQUESTED row). */
@Entity({ name: 'booking_views' })
export class BookingViewEntity extends ReflectsEvent {
  @PrimaryColumn({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @PrimaryColumn({ type: 'text', name: 'booking_id' })
  bookingId!: string;

  @Column({ type: 'text' })
  status!: string;

  @Column({ type: 'text', name: 'resource_id', nullable: true })
  resourceId!: string | null;

  @Column({ type: 'timestamptz', name: 'starts_at', nullable: true })
  startsAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'ends_at', nullable: true })
  endsAt!: Date | null;

  @Column({ type: 'bigint', name: 'price_minor', nullable: true, transformer: BIGINT })
  priceMinor!: bigint | null;

  @Column({ type: 'text', nullable: true })
  currency!: string | null;

  @Column({ type: 'text', name: 'customer_id', nullable: true })
  customerId!: string | null;

  @Column({ type: 'timestamptz', name: 'hold_expires_at', nullable: true })
  holdExpiresAt!: Date | null;

  @Column({ type: 'text', name: 'payment_id', nullable: true })
  paymentId!: string | null;

  @Column({ type: 'bigint', name: 'authorized_minor', nullable: true, transformer: BIGINT })
  authorizedMinor!: bigint | null;

  @Column({ type: 'bigint', name: 'refund_minor', nullable: true, transformer: BIGINT })
  refundMinor!: bigint | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'text', name: 'rejection_code', nullable: true })
  rejectionCode!: string | null;

  @Column({ type: 'timestamptz', name: 'delivered_at', nullable: true })
  deliveredAt!: Date | null;

  @Column({ type: 'text', name: 'requested_by', nullable: true })
  requestedBy!: string | null;

  @Column({ type: 'text', name: 'last_command', nullable: true })
  lastCommand!: string | null;

  @Column({ type: 'timestamptz', name: 'last_command_at', nullable: true })
  lastCommandAt!: Date | null;
}

/** A payment as the gateway knows it from payment's events. */
@Entity({ name: 'payment_views' })
export class PaymentViewEntity extends ReflectsEvent {
  @PrimaryColumn({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @PrimaryColumn({ type: 'text', name: 'payment_id' })
  paymentId!: string;

  @Column({ type: 'text', name: 'booking_id' })
  bookingId!: string;

  @Column({ type: 'text' })
  status!: string;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ type: 'bigint', name: 'amount_minor', nullable: true, transformer: BIGINT })
  amountMinor!: bigint | null;

  @Column({ type: 'bigint', name: 'authorized_minor', nullable: true, transformer: BIGINT })
  authorizedMinor!: bigint | null;

  @Column({ type: 'bigint', name: 'captured_minor', nullable: true, transformer: BIGINT })
  capturedMinor!: bigint | null;

  @Column({ type: 'bigint', name: 'refunded_minor', nullable: true, transformer: BIGINT })
  refundedMinor!: bigint | null;

  @Column({ type: 'bigint', name: 'platform_fee_minor', nullable: true, transformer: BIGINT })
  platformFeeMinor!: bigint | null;

  @Column({ type: 'text', name: 'psp_payment_intent_id', nullable: true })
  pspPaymentIntentId!: string | null;

  @Column({ type: 'text', name: 'failure_code', nullable: true })
  failureCode!: string | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'timestamptz', name: 'authorization_expires_at', nullable: true })
  authorizationExpiresAt!: Date | null;

  @Column({ type: 'text', name: 'outcome_unknown_operation', nullable: true })
  outcomeUnknownOperation!: string | null;

  @Column({ type: 'timestamptz', name: 'outcome_resolve_by', nullable: true })
  outcomeResolveBy!: Date | null;

  @Column({ type: 'text', name: 'refund_failed_id', nullable: true })
  refundFailedId!: string | null;

  @Column({ type: 'text', name: 'refund_failed_code', nullable: true })
  refundFailedCode!: string | null;

  @Column({ type: 'bigint', name: 'refund_failed_minor', nullable: true, transformer: BIGINT })
  refundFailedMinor!: bigint | null;

  @Column({ type: 'text', nullable: true })
  attention!: string | null;

  @Column({ type: 'timestamptz', name: 'attention_since', nullable: true })
  attentionSince!: Date | null;
}
