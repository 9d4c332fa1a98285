import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { MoneyBody } from '../bookings/booking.requests';

export const DEFAULT_REFUND_REASON = 'MERCHANT_REQUEST';

export class CreateRefundBody {
  @ApiProperty({ type: MoneyBody, description: "What to give back, in the payment's currency; at most what remains refundable." })
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyBody)
  amount!: MoneyBody;

  @ApiPropertyOptional({ type: String, example: 'GOODWILL', description: 'Why; default MERCHANT_REQUEST.' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  reason?: string;
}
