import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { DEFAULT_REFUND_POLICY } from '@txn/booking-domain';
import type { RefundPolicyViewEntity, StoredTier } from '../../read-models/refund-policy-view.entity';

const TEN_YEARS_S = 10 * 366 * 24 * 3_600;

export class RefundTierBody {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: TEN_YEARS_S, example: 86_400, description: 'Cancelled at least this many seconds before the slot starts…' })
  @IsInt()
  @Min(0)
  @Max(TEN_YEARS_S)
  minNoticeSeconds!: number;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 10_000, example: 10_000, description: '…this share of what was paid goes back, in basis points (10000 = all).' })
  @IsInt()
  @Min(0)
  @Max(10_000)
  refundBp!: number;
}

export class SetRefundPolicyBody {
  @ApiProperty({ type: [RefundTierBody], description: 'Largest notice first, at most 10; the first tier met applies.' })
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => RefundTierBody)
  tiers!: RefundTierBody[];

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 10_000, example: 0, description: 'The share when no tier is met (also after the slot started).' })
  @IsInt()
  @Min(0)
  @Max(10_000)
  otherwiseBp!: number;

  @ApiPropertyOptional({ type: String, example: 'new season terms', description: 'Why, 1..200 characters; default MERCHANT_REQUEST.' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  reason?: string;
}

export class RefundTierView {
  @ApiProperty({ type: 'integer', example: 86_400 })
  minNoticeSeconds!: number;

  @ApiProperty({ type: 'integer', example: 10_000 })
  refundBp!: number;
}

/** Terms as asked for: what a pending change or a four-eyes request would set. */
export class RefundTermsView {
  @ApiProperty({ type: [RefundTierView] })
  tiers!: RefundTierView[];

  @ApiProperty({ type: 'integer' })
  otherwiseBp!: number;

  @ApiProperty({ type: String })
  reason!: string;
}

export class PendingRefundPolicyView extends RefundTermsView {
  @ApiProperty({ enum: ['SENT', 'AWAITING_APPROVAL', 'EXPIRED'], description: 'SENT: booking applies it next; AWAITING_APPROVAL: a staff change waiting for another person (approvalId); EXPIRED: nobody approved it in time (it never applies).' })
  status!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  approvalId!: string | null;

  @ApiProperty({ type: String, example: 'API_KEY:…' })
  requestedBy!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  requestedAt!: string;
}

export class RefundPolicyView {
  @ApiProperty({ enum: ['MERCHANT', 'PLATFORM_DEFAULT'], description: "Whose terms hold: the merchant's, or the platform's default (100 % until 24 h before, 50 % until 2 h before, then nothing)." })
  source!: string;

  @ApiProperty({ type: [RefundTierView], description: 'The terms booking applies to bookings made from now on (a booking keeps the terms it was made under).' })
  tiers!: RefundTierView[];

  @ApiProperty({ type: 'integer' })
  otherwiseBp!: number;

  @ApiProperty({ type: 'integer', example: 2, description: "Booking's version of the merchant's terms; 0 under the platform's default." })
  version!: number;

  @ApiProperty({ type: String, nullable: true })
  reason!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'API_KEY:…' })
  setBy!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When booking applied them.' })
  lastEventAt!: string | null;

  @ApiProperty({ type: PendingRefundPolicyView, nullable: true, description: 'A change asked for that booking has not applied yet.' })
  pending!: PendingRefundPolicyView | null;
}

const tierView = (tier: StoredTier): RefundTierView => ({ minNoticeSeconds: Math.floor(tier.minNotice_ms / 1_000), refundBp: tier.refund_bp });

function pendingStatus(row: RefundPolicyViewEntity, now: Date): string {
  if (row.requestedApprovalId === null) return 'SENT';
  return row.requestedApprovalExpiresAt !== null && row.requestedApprovalExpiresAt.getTime() <= now.getTime() ? 'EXPIRED' : 'AWAITING_APPROVAL';
}

/** The policy as of `now` (a change whose approval lapsed is EXPIRED). */
export function refundPolicyView(row: RefundPolicyViewEntity | null, now: Date): RefundPolicyView {
  const merchant = row !== null && row.tiers !== null && row.otherwiseBp !== null;
  const pending =
    row?.requestedTiers === null || row?.requestedTiers === undefined || row.requestedOtherwiseBp === null || row.requestedAt === null
      ? null
      : { status: pendingStatus(row, now), approvalId: row.requestedApprovalId, tiers: row.requestedTiers.map(tierView), otherwiseBp: row.requestedOtherwiseBp, reason: row.requestedReason ?? '', requestedBy: row.requestedBy ?? '', requestedAt: row.requestedAt.toISOString() };
  return {
    source: merchant ? 'MERCHANT' : 'PLATFORM_DEFAULT',
    tiers: (merchant ? (row.tiers ?? []) : DEFAULT_REFUND_POLICY.tiers).map(tierView),
    otherwiseBp: merchant ? (row.otherwiseBp ?? 0) : DEFAULT_REFUND_POLICY.otherwise_bp,
    version: Number(row?.version ?? 0n),
    reason: merchant ? row.reason : null,
    setBy: merchant ? row.setBy : null,
    lastEventAt: row?.lastEventAt?.toISOString() ?? null,
    pending,
  };
}
