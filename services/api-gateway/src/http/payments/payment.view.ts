import { ApiProperty } from '@nestjs/swagger';
import type { PaymentViewEntity } from '../../read-models/read-model.entities';
import { FreshnessView, freshnessOf, iso, money, MoneyView, PageView } from '../views';

import { PAYMENT_VIEW_STATUSES } from '../../read-models/statuses';

export { PAYMENT_VIEW_STATUSES, TERMINAL_PAYMENT_STATUSES } from '../../read-models/statuses';
export const ATTENTION_KINDS = ['PAYMENT_OUTCOME_UNKNOWN', 'PAYMENT_REFUND_FAILED', 'PAYMENT_DISPUTED'] as const;

export class PaymentAttentionView {
  @ApiProperty({ enum: ATTENTION_KINDS })
  kind!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  since!: string;

  @ApiProperty({ type: String, nullable: true, example: 'CAPTURE', description: 'PAYMENT_OUTCOME_UNKNOWN: the PSP call whose outcome is unknown.' })
  operation!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'PAYMENT_OUTCOME_UNKNOWN: when the saga alarms if still unknown.' })
  resolveBy!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'PAYMENT_REFUND_FAILED: the refund the PSP refused.' })
  refundId!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'charge_disputed' })
  failureCode!: string | null;

  @ApiProperty({ type: MoneyView, nullable: true, description: 'PAYMENT_REFUND_FAILED: the amount still owed back.' })
  amount!: MoneyView | null;
}

export class PaymentView {
  @ApiProperty({ type: String })
  id!: string;

  @ApiProperty({ type: String, description: 'The booking (saga) it pays for.' })
  bookingId!: string;

  @ApiProperty({ enum: PAYMENT_VIEW_STATUSES })
  status!: string;

  @ApiProperty({ type: String, example: 'EUR' })
  currency!: string;

  @ApiProperty({ type: MoneyView, nullable: true, description: 'What the payment is for.' })
  amount!: MoneyView | null;

  @ApiProperty({ type: MoneyView, nullable: true })
  authorizedAmount!: MoneyView | null;

  @ApiProperty({ type: MoneyView, nullable: true })
  capturedAmount!: MoneyView | null;

  @ApiProperty({ type: MoneyView, nullable: true, description: 'All refunds so far.' })
  refundedAmount!: MoneyView | null;

  @ApiProperty({ type: MoneyView, nullable: true, description: "The platform's fee, decided by payment at capture." })
  platformFee!: MoneyView | null;

  @ApiProperty({ type: String, nullable: true, example: 'pi_3Nf…' })
  pspPaymentIntentId!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'card_declined' })
  failureCode!: string | null;

  @ApiProperty({ type: String, nullable: true })
  reason!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  authorizationExpiresAt!: string | null;

  @ApiProperty({ type: PaymentAttentionView, nullable: true, description: 'Set while a person must look at the payment.' })
  attention!: PaymentAttentionView | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ type: FreshnessView })
  freshness!: FreshnessView;
}

export class PaymentPage extends PageView {
  @ApiProperty({ type: [PaymentView] })
  data!: PaymentView[];
}

function attentionOf(row: PaymentViewEntity): PaymentAttentionView | null {
  if (row.attention === null || row.attentionSince === null) return null;
  const unknown = row.attention === 'PAYMENT_OUTCOME_UNKNOWN';
  return {
    kind: row.attention,
    since: row.attentionSince.toISOString(),
    operation: unknown ? row.outcomeUnknownOperation : null,
    resolveBy: unknown ? iso(row.outcomeResolveBy) : null,
    refundId: unknown ? null : row.refundFailedId,
    failureCode: unknown ? null : row.refundFailedCode,
    amount: unknown ? null : money(row.refundFailedMinor, row.currency),
  };
}

export function paymentView(row: PaymentViewEntity): PaymentView {
  return {
    id: row.paymentId,
    bookingId: row.bookingId,
    status: row.status,
    currency: row.currency,
    amount: money(row.amountMinor, row.currency),
    authorizedAmount: money(row.authorizedMinor, row.currency),
    capturedAmount: money(row.capturedMinor, row.currency),
    refundedAmount: money(row.refundedMinor, row.currency),
    platformFee: money(row.platformFeeMinor, row.currency),
    pspPaymentIntentId: row.pspPaymentIntentId,
    failureCode: row.failureCode,
    reason: row.reason,
    authorizationExpiresAt: iso(row.authorizationExpiresAt),
    attention: attentionOf(row),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    freshness: freshnessOf(row),
  };
}
