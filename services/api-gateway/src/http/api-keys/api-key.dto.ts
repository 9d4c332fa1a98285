import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Length, Validate, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import type { ApiKeyEntity } from '../../auth/api-key.entity';
import { PERMISSIONS, ROLES } from '../../auth/permissions';
import { PageView } from '../views';

/** Roles a merchant's key may have: every role but the platform's own. */
export const KEY_ROLES = ROLES.filter((role) => role !== 'platform-admin');
/** A key lives at most this long (a key that must outlive it is rotated). */
export const MAX_KEY_LIFETIME_MS = 2 * 366 * 24 * 3_600_000;

@ValidatorConstraint({ name: 'isFutureDateTime' })
class IsFutureDateTime implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return false;
    const at = Date.parse(value);
    return Number.isFinite(at) && at > Date.now() && at <= Date.now() + MAX_KEY_LIFETIME_MS;
  }
  defaultMessage(): string {
    return 'expiresAt must be an RFC 3339 date-time in the future, at most two years ahead';
  }
}

export class CreateApiKeyBody {
  @ApiProperty({ type: String, example: 'checkout backend', description: 'What the key is for, 1..100 characters; shown in lists.' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ enum: KEY_ROLES, example: 'developer', description: 'Not above the creator\u2019s: every permission of the role must be the creator\u2019s own (a developer cannot create an owner key).' })
  @IsIn(KEY_ROLES)
  role!: string;

  @ApiPropertyOptional({ enum: PERMISSIONS, isArray: true, example: ['bookings:read', 'bookings:write'], description: 'Narrow the key to these permissions of its role; omitted or empty: everything the role may.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(PERMISSIONS.length)
  @IsIn(PERMISSIONS, { each: true })
  scopes?: string[];

  @ApiPropertyOptional({ type: String, format: 'date-time', example: '2031-01-01T00:00:00Z', description: 'When the key stops working; omitted: never (revoke it instead). At most two years ahead.' })
  @IsOptional()
  @Validate(IsFutureDateTime)
  expiresAt?: string;
}

export class ApiKeyView {
  @ApiProperty({ type: String, format: 'uuid', example: '8d7f4a52-2f5e-4a57-9d0b-3c1e5b7a9f10' })
  id!: string;

  @ApiProperty({ type: String, example: 'acme-rooms' })
  merchantId!: string;

  @ApiProperty({ type: String, example: 'k3j5m2n7p4q6', description: 'The visible part of the key (txn_sk_<prefix>_…): how logs and lists name it.' })
  prefix!: string;

  @ApiProperty({ type: String, example: 'checkout backend' })
  name!: string;

  @ApiProperty({ enum: KEY_ROLES, example: 'developer' })
  role!: string;

  @ApiProperty({ enum: PERMISSIONS, isArray: true, example: ['bookings:read'], description: 'Empty: everything the role may.' })
  scopes!: string[];

  @ApiProperty({ type: String, example: 'staff:alice', description: 'api_key:<id> or staff:<subject>.' })
  createdBy!: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2030-01-01T10:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  expiresAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null, description: 'Refused from this moment on.' })
  revokedAt!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  revokedBy!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null, description: 'Recorded to the minute.' })
  lastUsedAt!: string | null;
}

export class CreatedApiKeyView extends ApiKeyView {
  @ApiProperty({ type: String, example: 'txn_sk_k3j5m2n7p4q6_Jx9…', description: 'The whole key, shown this once: only its hash is stored, it cannot be shown again.' })
  key!: string;
}

export class ApiKeyPage extends PageView {
  @ApiProperty({ type: [ApiKeyView] })
  data!: ApiKeyView[];
}

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

/** A key as the API shows it: never its secret nor its hash. */
export function apiKeyView(row: ApiKeyEntity): ApiKeyView {
  return {
    id: row.id,
    merchantId: row.merchantId,
    prefix: row.prefix,
    name: row.name,
    role: row.role,
    scopes: [...row.scopes],
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    expiresAt: iso(row.expiresAt),
    revokedAt: iso(row.revokedAt),
    revokedBy: row.revokedBy,
    lastUsedAt: iso(row.lastUsedAt),
  };
}
