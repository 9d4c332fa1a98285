import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { CurrentPrincipal, RequirePermission, type Principal } from '../../auth/principal';
import { OVERDUE_GRACE_MS, ReadModels } from '../../read-models/read-models';
import type { BookingViewEntity, PaymentViewEntity } from '../../read-models/read-model.entities';
import { ApiProblems } from '../api-responses';
import { merchantOf } from '../caller';
import { BookingView, bookingView } from '../bookings/booking.view';
import { PaymentView, paymentView } from '../payments/payment.view';

export const ATTENTION_REASONS = ['BOOKING_NOT_ANSWERED', 'HOLD_OVERDUE', 'PAYMENT_OUTCOME_UNKNOWN', 'PAYMENT_REFUND_FAILED', 'PAYMENT_DISPUTED'] as const;

export class AttentionQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 50, description: 'At most this many of each kind (bookings, payments).' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class AttentionItem {
  @ApiProperty({ enum: ATTENTION_REASONS, description: `BOOKING_NOT_ANSWERED: REQUESTED for over ${OVERDUE_GRACE_MS / 1000} s; HOLD_OVERDUE: HELD ${OVERDUE_GRACE_MS / 1000} s past its hold expiry; PAYMENT_*: payment flagged for a person.` })
  reason!: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'Since when it needs attention.' })
  since!: string;

  @ApiProperty({ type: String })
  bookingId!: string;

  @ApiProperty({ type: BookingView, nullable: true, description: 'The booking, when the gateway has seen it.' })
  booking!: BookingView | null;

  @ApiProperty({ type: PaymentView, nullable: true, description: "The booking's payment, when there is one." })
  payment!: PaymentView | null;
}

export class AttentionList {
  @ApiProperty({ type: [AttentionItem] })
  data!: AttentionItem[];

  @ApiProperty({ type: String, format: 'date-time', description: 'The time "overdue" was judged at.' })
  asOf!: string;
}

function bookingItem(row: BookingViewEntity, payments: ReadonlyMap<string, PaymentViewEntity>): AttentionItem {
  const notAnswered = row.status === 'REQUESTED';
  const since = notAnswered ? row.createdAt : (row.holdExpiresAt ?? row.updatedAt);
  const payment = payments.get(row.bookingId);
  return { reason: notAnswered ? 'BOOKING_NOT_ANSWERED' : 'HOLD_OVERDUE', since: since.toISOString(), bookingId: row.bookingId, booking: bookingView({ ...row, payment: payment ?? null }), payment: payment === undefined ? null : paymentView(payment) };
}

function paymentItem(row: PaymentViewEntity, bookings: ReadonlyMap<string, BookingViewEntity>): AttentionItem {
  const booking = bookings.get(row.bookingId);
  return { reason: row.attention ?? 'PAYMENT_OUTCOME_UNKNOWN', since: (row.attentionSince ?? row.updatedAt).toISOString(), bookingId: row.bookingId, booking: booking === undefined ? null : bookingView({ ...booking, payment: row }), payment: paymentView(row) };
}

/** Sagas a person should look at: overdue bookings and flagged payments, each joined with the other half from the read models. */
@ApiTags('sagas')
@ApiBearerAuth()
@Controller('v1/sagas')
export class AttentionController {
  constructor(@Inject(ReadModels) private readonly readModels: ReadModels) {}

  @Get('attention')
  @RequirePermission('sagas:read')
  @ApiOperation({ summary: 'Sagas needing attention', description: 'Bookings overdue (never answered, or held past expiry) and payments flagged for a person (outcome unknown, refund failed), oldest first.' })
  @ApiOkResponse({ type: AttentionList })
  @ApiProblems(400, 401, 403)
  async attention(@Query() query: AttentionQuery, @CurrentPrincipal() principal: Principal): Promise<AttentionList> {
    const merchantId = merchantOf(principal);
    const now = new Date();
    const limit = query.limit ?? 50;
    const found = await this.readModels.attention(merchantId, now, limit);
    const items = [...found.overdue.map((row) => bookingItem(row, found.paymentsByBooking)), ...found.flagged.map((row) => paymentItem(row, found.bookingsById))];
    items.sort((a, b) => a.since.localeCompare(b.since));
    return { data: items, asOf: now.toISOString() };
  }
}
