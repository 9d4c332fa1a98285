import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { CurrentPrincipal, RequirePermission, type Principal } from '../../auth/principal';
import { ReconBreaks, type ReconBreakRow } from '../../read-models/recon-breaks';
import { ApiProblems } from '../api-responses';
import { DEFAULT_PAGE_SIZE, PageQuery } from '../page-query';
import { merchantOf } from '../caller';
import { iso } from '../views';

export const BREAK_STATUSES = ['OPEN', 'RESOLVED'] as const;
export const BREAK_LEGS = ['PSP_PAYMENTS', 'PAYMENTS_LEDGER', 'SAGA'] as const;

/** `?status=&kind=&leg=` and the page (`limit`, `cursor`); oldest first. */
export class BreaksQuery extends PageQuery {
  @ApiPropertyOptional({ enum: BREAK_STATUSES, description: 'Default: both.' })
  @IsOptional()
  @IsIn(BREAK_STATUSES)
  status?: (typeof BREAK_STATUSES)[number];

  @ApiPropertyOptional({ type: String, example: 'IN_SUSPENSE', description: 'MISSING_AT_PSP, MISSING_IN_PAYMENTS, MISSING_IN_LEDGER, MISSING_IN_BOOKINGS, AMOUNT_MISMATCH, CURRENCY_MISMATCH, STATUS_MISMATCH, DUPLICATE, IN_SUSPENSE, REFUND_EXCEEDS_CAPTURE, UNKNOWN_PSP_OBJECT, DISPUTE_OPENED.' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z_]{1,40}$/)
  kind?: string;

  @ApiPropertyOptional({ enum: BREAK_LEGS })
  @IsOptional()
  @IsIn(BREAK_LEGS)
  leg?: (typeof BREAK_LEGS)[number];
}

export class ReconBreakView {
  @ApiProperty({ type: String, format: 'uuid' })
  breakId!: string;

  @ApiProperty({ type: String, example: 'IN_SUSPENSE' })
  kind!: string;

  @ApiProperty({ enum: BREAK_LEGS, description: 'Which records disagree: the PSP and payments, payments and the ledger, or the saga (booking, payment and ledger statuses).' })
  leg!: string;

  @ApiProperty({ enum: BREAK_STATUSES })
  status!: string;

  @ApiProperty({ type: String, nullable: true })
  paymentId!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The PSP object it is about (an intent, a charge), or the payment.' })
  pspObjectId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  detail!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Why, as far as the PSP, payments and the ledger tell it.' })
  explanation!: string | null;

  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true, description: 'What each side showed when it was found.' })
  evidence!: Record<string, unknown> | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  raisedAt!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  resolvedAt!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'How it was explained (the reconciliation run that found the sides agreeing).' })
  resolution!: string | null;
}

export class ReconBreaksPage {
  @ApiProperty({ type: [ReconBreakView] })
  data!: ReconBreakView[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When the gateway last applied a break event (a lagging consumer shows here).' })
  lastAppliedAt!: string | null;
}

function breakView(row: ReconBreakRow): ReconBreakView {
  return {
    breakId: row.breakId,
    kind: row.kind,
    leg: row.leg,
    status: row.status,
    paymentId: row.paymentId,
    pspObjectId: row.pspObjectId,
    detail: row.detail,
    explanation: row.explanation,
    evidence: row.evidence === null || typeof row.evidence !== 'object' ? null : (row.evidence as Record<string, unknown>),
    raisedAt: iso(row.raisedAt),
    resolvedAt: iso(row.resolvedAt),
    resolution: row.resolution,
  };
}

/** Reconciliation's breaks of the caller's merchant (PSP ↔ payments ↔ ledger ↔ bookings), from payment's break events. */
@ApiTags('reconciliation')
@ApiBearerAuth()
@Controller('v1/reconciliation')
export class ReconciliationController {
  constructor(@Inject(ReconBreaks) private readonly breaks: ReconBreaks) {}

  @Get('breaks')
  @RequirePermission('recon:read')
  @ApiOperation({ summary: "Reconciliation's breaks", description: 'Differences between the PSP, payments, the ledger and the bookings, with the evidence of each side; oldest first, filtered by status, kind and leg, cursor pagination.' })
  @ApiOkResponse({ type: ReconBreaksPage })
  @ApiProblems(400, 401, 403)
  async list(@Query() query: BreaksQuery, @CurrentPrincipal() principal: Principal): Promise<ReconBreaksPage> {
    const page = await this.breaks.list(merchantOf(principal), { status: query.status, kind: query.kind, leg: query.leg }, query.limit ?? DEFAULT_PAGE_SIZE, query.cursor);
    return { data: page.breaks.map(breakView), nextCursor: page.nextCursor, lastAppliedAt: iso(page.lastAppliedAt) };
  }
}
