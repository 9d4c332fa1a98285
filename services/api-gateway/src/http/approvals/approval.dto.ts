import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { CreatedApiKeyView } from '../api-keys/api-key.dto';
import { PageView } from '../views';

const STATUSES = ['PENDING', 'APPROVED', 'REFUSED', 'EXPIRED'] as const;

export class ApprovalDetailsView {
  @ApiProperty({ type: String, example: 'ops owner key' })
  name!: string;

  @ApiProperty({ type: String, example: 'owner' })
  role!: string;

  @ApiProperty({ type: [String], example: [] })
  scopes!: string[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  expiresAt!: string | null;
}

export class ApprovalView {
  @ApiProperty({ type: String, format: 'uuid', example: '0b7e4c1a-6f2d-4c3e-9a51-2d8f0e6b7c9a' })
  id!: string;

  @ApiProperty({ type: String, example: 'acme-rooms' })
  merchantId!: string;

  @ApiProperty({ enum: ['create_api_key'], example: 'create_api_key' })
  operation!: string;

  @ApiProperty({ type: ApprovalDetailsView, description: 'What approval would do (for create_api_key: the key to create; never a secret).' })
  details!: ApprovalDetailsView;

  @ApiProperty({ enum: STATUSES, example: 'PENDING', description: 'EXPIRED: nobody decided before expiresAt.' })
  status!: string;

  @ApiProperty({ type: String, example: 'staff:alice' })
  requestedBy!: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2030-01-01T10:00:00.000Z' })
  requestedAt!: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2030-01-02T10:00:00.000Z' })
  expiresAt!: string;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'Someone other than requestedBy.' })
  decidedBy!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  decidedAt!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  decisionReason!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'What approval created (the key id).' })
  resultId!: string | null;
}

export class ApprovalPage extends PageView {
  @ApiProperty({ type: [ApprovalView] })
  data!: ApprovalView[];
}

export class ApprovedView {
  @ApiProperty({ type: ApprovalView })
  approval!: ApprovalView;

  @ApiProperty({ type: CreatedApiKeyView, description: 'The key the approval created, whole, shown this once.' })
  key!: CreatedApiKeyView;
}

export class RefuseBody {
  @ApiPropertyOptional({ type: String, example: 'not requested by the merchant', description: 'Why, 1..200 characters.' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  reason?: string;
}

interface ApprovalRow {
  readonly id: string;
  readonly merchantId: string;
  readonly operation: string;
  readonly details: ApprovalDetailsView;
  readonly status: string;
  readonly requestedBy: string;
  readonly requestedAt: Date;
  readonly expiresAt: Date;
  readonly decidedBy: string | null;
  readonly decidedAt: Date | null;
  readonly decisionReason: string | null;
  readonly resultId: string | null;
}

/** The request as the API shows it, its status as of `now` (a pending one past expiry is EXPIRED). */
export function approvalView(row: ApprovalRow, now: Date): ApprovalView {
  const expired = row.status === 'PENDING' && row.expiresAt.getTime() <= now.getTime();
  return {
    ...row,
    details: { ...row.details, scopes: [...row.details.scopes] },
    status: expired ? 'EXPIRED' : row.status,
    requestedAt: row.requestedAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    decidedAt: row.decidedAt === null ? null : row.decidedAt.toISOString(),
  };
}
