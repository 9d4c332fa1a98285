import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength, Validate } from 'class-validator';
import { CurrentPrincipal, RequirePermission, type Principal } from '../../auth/principal';
import { AuditRecords, type AuditRecordRow } from '../../read-models/audit-records';
import { ApiProblems } from '../api-responses';
import { IsRealDateTime } from '../bookings/booking.requests';
import { DEFAULT_PAGE_SIZE, PageQuery } from '../page-query';
import { ProblemException } from '../problem';
import { iso } from '../views';

export const ACTOR_TYPES = ['USER', 'API_KEY', 'SERVICE'] as const;
const NAME = /^[A-Za-z0-9_.:-]{1,200}$/;

/** `?aggregateType=&aggregateId=&actorType=&actorId=&action=&correlationId=&from=&to=&tenant=` and the page; chain order. */
export class AuditRecordsQuery extends PageQuery {
  @ApiPropertyOptional({ type: String, example: 'booking', description: 'booking, payment, hold, escrow, journal-entry, refund-policy, resource, api-key, approval, webhook-endpoint, staff-session, access, psp-event, reconciliation-break, ledger-break, ledger-command.' })
  @IsOptional()
  @Matches(NAME)
  aggregateType?: string;

  @ApiPropertyOptional({ type: String, description: 'The aggregate (a booking id, a payment id, …).' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  aggregateId?: string;

  @ApiPropertyOptional({ enum: ACTOR_TYPES })
  @IsOptional()
  @IsIn(ACTOR_TYPES)
  actorType?: (typeof ACTOR_TYPES)[number];

  @ApiPropertyOptional({ type: String, description: "Who did it: an API key's id, a staff subject, a service's name." })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actorId?: string;

  @ApiPropertyOptional({ type: String, example: 'BookingConfirmed', description: 'The event type.' })
  @IsOptional()
  @Matches(/^[A-Za-z]{1,100}$/)
  action?: string;

  @ApiPropertyOptional({ type: String, description: "One saga's records: its correlation id (the booking id for a booking's saga)." })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  correlationId?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Occurred at or after.' })
  @IsOptional()
  @Validate(IsRealDateTime)
  from?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Occurred before.' })
  @IsOptional()
  @Validate(IsRealDateTime)
  to?: string;

  @ApiPropertyOptional({ type: String, description: "Platform staff only: whose chain (a merchant id, or `platform`). A merchant's caller reads its own." })
  @IsOptional()
  @Matches(NAME)
  tenant?: string;
}

export class AuditActorView {
  @ApiProperty({ enum: ACTOR_TYPES })
  type!: string;

  @ApiProperty({ type: String })
  id!: string;
}

export class AuditAggregateView {
  @ApiProperty({ type: String, example: 'booking' })
  type!: string;

  @ApiProperty({ type: String })
  id!: string;

  @ApiProperty({ type: 'integer', format: 'int64', description: 'The aggregate version the change produced.' })
  version!: number;
}

export class AuditRecordView {
  @ApiProperty({ type: String, description: "The tenant whose chain holds it." })
  chainId!: string;

  @ApiProperty({ type: 'integer', format: 'int64', description: 'Its place in the chain, from 1.' })
  seq!: number;

  @ApiProperty({ type: String, description: 'SHA-256 (hex) of the record, as `./platform audit verify` recomputes it.' })
  hash!: string;

  @ApiProperty({ type: String, description: 'The hash of the record before it.' })
  prevHash!: string;

  @ApiProperty({ type: String, format: 'uuid', description: 'The audited event.' })
  eventId!: string;

  @ApiProperty({ type: String, example: 'BookingConfirmed' })
  action!: string;

  @ApiProperty({ type: String, description: 'The service that published the event.' })
  producer!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  occurredAt!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  recordedAt!: string;

  @ApiProperty({ type: AuditActorView })
  actor!: AuditActorView;

  @ApiProperty({ type: AuditAggregateView })
  aggregate!: AuditAggregateView;

  @ApiProperty({ type: String, nullable: true })
  statusBefore!: string | null;

  @ApiProperty({ type: String, nullable: true })
  statusAfter!: string | null;

  @ApiProperty({ type: String, nullable: true })
  reason!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: "The event's other fields; personal data shows as `[personal data withheld]`." })
  changes!: Record<string, unknown>;

  @ApiProperty({ type: String })
  correlationId!: string;

  @ApiProperty({ type: String, nullable: true })
  causationId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  traceId!: string | null;
}

export class AuditRecordsPage {
  @ApiProperty({ type: [AuditRecordView] })
  data!: AuditRecordView[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;

  @ApiProperty({ type: 'integer', format: 'int64', nullable: true, description: "The chain's last record the gateway holds: records after it have not reached this read model yet." })
  headSeq!: number | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When the gateway last applied a record of this chain.' })
  lastAppliedAt!: string | null;
}

function recordView(row: AuditRecordRow): AuditRecordView {
  return {
    chainId: row.chainId,
    seq: Number(row.seq),
    hash: row.hash,
    prevHash: row.prevHash,
    eventId: row.sourceEventId,
    action: row.action,
    producer: row.producer,
    occurredAt: row.occurredAt.toISOString(),
    recordedAt: row.recordedAt.toISOString(),
    actor: row.actor,
    aggregate: { type: row.aggregate.type, id: row.aggregate.id, version: Number(row.aggregate.version) },
    statusBefore: row.statusBefore,
    statusAfter: row.statusAfter,
    reason: row.reason,
    changes: row.changes,
    correlationId: row.correlationId,
    causationId: row.causationId,
    traceId: row.traceId,
  };
}

/** Whose chain: a merchant's caller reads its own; platform staff name one (a merchant, or `platform`). */
function chainOf(principal: Principal, tenant: string | undefined): string {
  if (principal.tenantId !== null) {
    if (tenant !== undefined && tenant !== principal.tenantId) throw ProblemException.of('forbidden', "A merchant's caller reads its own audit trail only.");
    return principal.tenantId;
  }
  if (tenant === undefined) throw new ProblemException({ ...ProblemException.of('validation-failed', 'Name the chain to read: ?tenant=<merchant id> or ?tenant=platform.').problem, errors: [{ pointer: '/tenant', detail: 'tenant is required for platform staff' }] });
  return tenant;
}

/** The audit trail, for auditors: who did what, when, and what it changed, from the audit service's records. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit-records')
export class AuditRecordsController {
  constructor(@Inject(AuditRecords) private readonly records: AuditRecords) {}

  @Get()
  @RequirePermission('audit:read')
  @ApiOperation({ summary: 'Audit records', description: "One tenant's audit chain in chain order, filtered by aggregate, actor, action, correlation (one saga) and time, with cursor pagination. Each record carries its hash and link: `./platform audit verify` proves the chain they come from." })
  @ApiOkResponse({ type: AuditRecordsPage })
  @ApiProblems(400, 401, 403)
  async list(@Query() query: AuditRecordsQuery, @CurrentPrincipal() principal: Principal): Promise<AuditRecordsPage> {
    const filter = {
      aggregateType: query.aggregateType,
      aggregateId: query.aggregateId,
      actorType: query.actorType,
      actorId: query.actorId,
      action: query.action,
      correlationId: query.correlationId,
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
    };
    const page = await this.records.list(chainOf(principal, query.tenant), filter, query.limit ?? DEFAULT_PAGE_SIZE, query.cursor);
    return { data: page.records.map(recordView), nextCursor: page.nextCursor, headSeq: page.headSeq === null ? null : Number(page.headSeq), lastAppliedAt: iso(page.lastAppliedAt) };
  }
}
