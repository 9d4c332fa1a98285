import { ApiProperty } from '@nestjs/swagger';
import type { BookingViewEntity, PaymentViewEntity } from '../../read-models/read-model.entities';
import { FreshnessView, freshnessOf, iso, money, MoneyView, PageView } from '../views';

import { BOOKING_VIEW_STATUSES, PAYMENT_VIEW_STATUSES, type BookingViewStatus } from '../../read-models/statuses';

export { BOOKING_VIEW_STATUSES, TERMINAL_BOOKING_STATUSES, type BookingViewStatus } from '../../read-models/statuses';

export class SlotView {
  @ApiProperty({ type: String, nullable: true, example: 'room-12' })
  resourceId!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  startsAt!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'Exclusive: the slot is [startsAt, endsAt).' })
  endsAt!: string | null;
}

/** The booking's payment as the payments read model knows it (GET /v1/payments/{id} for the rest). */
export class BookingPaymentView {
  @ApiProperty({ type: String, format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, enum: PAYMENT_VIEW_STATUSES })
  status!: string;

  @ApiProperty({ type: String, nullable: true, enum: ['PAYMENT_OUTCOME_UNKNOWN', 'PAYMENT_REFUND_FAILED', 'PAYMENT_DISPUTED'], description: 'Set while a person must look at the payment (PAYMENT_DISPUTED: a chargeback is open at the PSP).' })
  attention!: string | null;

  @ApiProperty({ type: 'integer', description: "The payment's version (payment events order it, not booking's)." })
  version!: number;
}

export class BookingView {
  @ApiProperty({ type: String, format: 'uuid', description: 'Chosen by the gateway when the booking was requested.' })
  id!: string;

  @ApiProperty({ enum: BOOKING_VIEW_STATUSES, description: 'REQUESTED until booking answers (HELD or REJECTED).' })
  status!: BookingViewStatus;

  @ApiProperty({ type: SlotView })
  slot!: SlotView;

  @ApiProperty({ type: MoneyView, nullable: true })
  price!: MoneyView | null;

  @ApiProperty({ type: String, nullable: true, example: 'cus_42' })
  customerId!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'The slot is released if payment has not authorized by then.' })
  holdExpiresAt!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The payment that confirmed it.' })
  paymentId!: string | null;

  @ApiProperty({ type: BookingPaymentView, nullable: true, description: 'Its newest payment, once payment has told of one.' })
  payment!: BookingPaymentView | null;

  @ApiProperty({ type: MoneyView, nullable: true })
  authorizedAmount!: MoneyView | null;

  @ApiProperty({ type: MoneyView, nullable: true, description: 'What the cancellation policy gives back, when captured money was refunded.' })
  refundAmount!: MoneyView | null;

  @ApiProperty({ type: String, nullable: true, example: 'PAYMENT_AUTHORIZED', description: 'Why the status last changed.' })
  reason!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'SLOT_UNAVAILABLE' })
  rejectionCode!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  deliveredAt!: string | null;

  @ApiProperty({ type: String, nullable: true, enum: ['CancelBooking', 'CompleteBooking'], description: 'The last command sent through the API (its effect shows when booking answers).' })
  lastCommand!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  lastCommandAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ type: FreshnessView })
  freshness!: FreshnessView;
}

export class BookingPage extends PageView {
  @ApiProperty({ type: [BookingView] })
  data!: BookingView[];
}

export function bookingView(row: BookingViewEntity & { readonly payment?: PaymentViewEntity | null }): BookingView {
  return {
    id: row.bookingId,
    status: row.status as BookingViewStatus,
    slot: { resourceId: row.resourceId, startsAt: iso(row.startsAt), endsAt: iso(row.endsAt) },
    price: money(row.priceMinor, row.currency),
    customerId: row.customerId,
    holdExpiresAt: iso(row.holdExpiresAt),
    paymentId: row.paymentId ?? row.payment?.paymentId ?? null,
    payment: row.payment === undefined || row.payment === null ? null : { id: row.payment.paymentId, status: row.payment.status, attention: row.payment.attention, version: Number(row.payment.version) },
    authorizedAmount: money(row.authorizedMinor, row.currency),
    refundAmount: money(row.refundMinor, row.currency),
    reason: row.reason,
    rejectionCode: row.rejectionCode,
    deliveredAt: iso(row.deliveredAt),
    lastCommand: row.lastCommand,
    lastCommandAt: iso(row.lastCommandAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    freshness: freshnessOf(row),
  };
}
