import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { Validate, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { isCurrencyCode } from '@txn/money';
import { PageView } from '../views';

@ValidatorConstraint({ name: 'isSupportedCurrency' })
class IsSupportedCurrency implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isCurrencyCode(value);
  }
  defaultMessage(): string {
    return 'defaultCurrency must be an ISO 4217 code the platform supports';
  }
}

export class CreateMerchantBody {
  @ApiProperty({ type: String, example: 'acme-rooms', description: 'Chosen by the platform admin, stable forever: lower-case letters, digits, - and _, 1..63 characters. Creating the same id twice answers 409.' })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,62}$/, { message: 'id must be 1..63 of a-z, 0-9, - and _, starting with a letter or digit' })
  id!: string;

  @ApiProperty({ type: String, example: 'Acme Rooms Ltd', description: '1..200 characters.' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ type: String, example: 'EUR', description: 'ISO 4217 code the merchant settles in by default.' })
  @Validate(IsSupportedCurrency)
  defaultCurrency!: string;

  @ApiPropertyOptional({ type: 'integer', format: 'int64', minimum: 0, example: 50000, description: 'Four eyes: a refund a staff user asks for above this many minor units waits for another person\'s approval. Absent: never.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  refundApprovalThresholdMinor?: number;
}

export class MerchantView {
  @ApiProperty({ type: String, example: 'acme-rooms' })
  id!: string;

  @ApiProperty({ type: String, example: 'Acme Rooms Ltd' })
  name!: string;

  @ApiProperty({ type: String, example: 'EUR' })
  defaultCurrency!: string;

  @ApiProperty({ type: 'integer', format: 'int64', nullable: true, example: 50000, description: 'Staff refunds above it take four eyes; null: never.' })
  refundApprovalThresholdMinor!: number | null;

  @ApiProperty({ type: String, format: 'date-time', example: '2030-01-01T10:00:00.000Z' })
  createdAt!: string;
}

export class MerchantPage extends PageView {
  @ApiProperty({ type: [MerchantView] })
  data!: MerchantView[];
}

export function merchantView(row: { readonly id: string; readonly name: string; readonly defaultCurrency: string; readonly refundApprovalThresholdMinor: bigint | null; readonly createdAt: Date }): MerchantView {
  const threshold = row.refundApprovalThresholdMinor;
  return { id: row.id, name: row.name, defaultCurrency: row.defaultCurrency, refundApprovalThresholdMinor: threshold === null ? null : Number(threshold), createdAt: row.createdAt.toISOString() };
}
