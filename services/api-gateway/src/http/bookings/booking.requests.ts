import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  Validate,
  ValidateNested,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { isCurrencyCode, minorUnitExponent } from '@txn/money';
import { containsCardNumber } from '@txn/personal-data';
import { BOOKING_VIEW_STATUSES } from './booking.view';

/** RFC 3339 date-time with an explicit offset: a time without its zone is ambiguous. */
export const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;
const IDENTIFIER = /^[\x21-\x7e]{1,100}$/;
/** The largest price accepted, in major units of any currency (10^9 EUR, 10^9 JPY): a typo of a few zeros is refused, not charged. */
export const MAX_MAJOR_UNITS = 1_000_000_000;

export function maxMinorUnits(currency: string): number | null {
  return isCurrencyCode(currency) ? MAX_MAJOR_UNITS * 10 ** minorUnitExponent(currency) : null;
}

@ValidatorConstraint({ name: 'isSupportedCurrency' })
class IsSupportedCurrency implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isCurrencyCode(value);
  }
  defaultMessage(): string {
    return 'currency must be an ISO 4217 code the platform supports (e.g. EUR, USD, JPY)';
  }
}

@ValidatorConstraint({ name: 'withinCurrencyRange' })
class WithinCurrencyRange implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const max = maxMinorUnits(String((args.object as { currency?: unknown }).currency));
    return typeof value === 'number' && (max === null || value <= max);
  }
  defaultMessage(args: ValidationArguments): string {
    const max = maxMinorUnits(String((args.object as { currency?: unknown }).currency));
    return `amountMinor must be at most ${max ?? 'the currency\u2019s range'} minor units`;
  }
}

@ValidatorConstraint({ name: 'endsAfterStarts' })
class EndsAfterStarts implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const startsAt = Date.parse(String((args.object as { startsAt?: unknown }).startsAt));
    return typeof value === 'string' && !Number.isNaN(startsAt) && Date.parse(value) > startsAt;
  }
  defaultMessage(): string {
    return 'endsAt must be after startsAt';
  }
}

/** The platform never needs a card number (the PSP holds them), so a text field holding one is refused, not kept (PCI DSS). */
@ValidatorConstraint({ name: 'holdsNoCardNumber' })
export class HoldsNoCardNumber implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value !== 'string' || !containsCardNumber(value);
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must not hold a payment card number`;
  }
}

@ValidatorConstraint({ name: 'isRealDateTime' })
export class IsRealDateTime implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be an RFC 3339 date-time with an offset, e.g. 2030-05-01T10:00:00Z`;
  }
}

export class MoneyBody {
  @ApiProperty({ type: 'integer', format: 'int64', minimum: 1, example: 12500, description: 'Integer minor units as a JSON number (12500 EUR = 125.00 EUR); at most 10^9 major units of the currency. Strings, decimals and negatives are refused.' })
  @IsInt()
  @Min(1)
  @Validate(WithinCurrencyRange)
  amountMinor!: number;

  @ApiProperty({ type: String, example: 'EUR', description: 'ISO 4217 alphabetic code, upper case.' })
  @Validate(IsSupportedCurrency)
  currency!: string;
}

export class SlotBody {
  @ApiProperty({ type: String, format: 'date-time', example: '2030-05-01T10:00:00Z' })
  @Validate(IsRealDateTime)
  startsAt!: string;

  @ApiProperty({ type: String, format: 'date-time', example: '2030-05-01T11:00:00Z', description: 'Exclusive, after startsAt.' })
  @Validate(IsRealDateTime)
  @Validate(EndsAfterStarts)
  endsAt!: string;
}

export class CreateBookingBody {
  @ApiProperty({ type: String, example: 'room-12', description: 'The bookable resource.' })
  @IsString()
  @Matches(IDENTIFIER, { message: 'resourceId must be 1..100 printable ASCII characters' })
  resourceId!: string;

  @ApiProperty({ type: SlotBody })
  @IsObject()
  @ValidateNested()
  @Type(() => SlotBody)
  slot!: SlotBody;

  @ApiProperty({ type: MoneyBody })
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyBody)
  price!: MoneyBody;

  @ApiProperty({ type: String, example: 'cus_42', description: "The merchant's id for its customer." })
  @IsString()
  @Matches(IDENTIFIER, { message: 'customerId must be 1..100 printable ASCII characters' })
  @Validate(HoldsNoCardNumber)
  customerId!: string;

  @ApiPropertyOptional({ type: String, example: 'ada@example.com', description: "Personal data: for the customer's emails only; sealed under the customer's data key before it leaves the gateway, never shown in reads, erased with POST /v1/customers/{customerId}/erasure." })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  customerEmail?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 60, maximum: 86_400, example: 900, description: "Seconds the slot stays held for payment to authorize; booking caps it by the merchant's hold policy (default 15 minutes)." })
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(86_400)
  holdForSeconds?: number;
}

export class CancelBookingBody {
  @ApiPropertyOptional({ type: String, example: 'CUSTOMER_REQUEST', description: 'Why; default MERCHANT_REQUEST.' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @Validate(HoldsNoCardNumber)
  reason?: string;
}

export class CompleteBookingBody {
  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'When the service was delivered; default now. Not in the future.' })
  @IsOptional()
  @Validate(IsRealDateTime)
  deliveredAt?: string;

  @ApiPropertyOptional({ type: String, example: 'SERVICE_DELIVERED' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @Validate(HoldsNoCardNumber)
  reason?: string;
}

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 25;

/** `a,b` or repeated `status=a&status=b`. */
const toList = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.split(',') : value);

export class ListQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ type: String, description: "The previous page's nextCursor." })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Created at or after.' })
  @IsOptional()
  @Validate(IsRealDateTime)
  createdFrom?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Created before.' })
  @IsOptional()
  @Validate(IsRealDateTime)
  createdTo?: string;
}

export class ListBookingsQuery extends ListQuery {
  @ApiPropertyOptional({ enum: BOOKING_VIEW_STATUSES, isArray: true, description: 'One or more, comma-separated.' })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @IsIn(BOOKING_VIEW_STATUSES, { each: true })
  status?: string[];
}

export class GetQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'With `Prefer: wait=N`: answer once the version is above this (or terminal), or after N seconds.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  afterVersion?: number;
}
