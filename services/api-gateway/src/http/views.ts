import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ReflectsEvent } from '../read-models/read-model.entities';

/** Money in JSON: an integer of minor units (cents; yen have none) and its ISO 4217 code. Never a decimal. */
export class MoneyView {
  @ApiProperty({ type: 'integer', format: 'int64', example: 12500, description: 'Integer minor units of the currency (12500 EUR = 125.00 EUR). Never a float.' })
  amountMinor!: number;

  @ApiProperty({ type: String, example: 'EUR', pattern: '^[A-Z]{3}$', description: 'ISO 4217 alphabetic code.' })
  currency!: string;
}

export class PositionView {
  @ApiProperty({ type: String, example: 'booking.events.v1' })
  topic!: string;

  @ApiProperty({ type: 'integer', example: 2 })
  partition!: number;

  @ApiProperty({ type: String, example: '1043', description: 'Kafka offset (a decimal string: offsets are 64-bit).' })
  offset!: string;
}

/** How fresh a read is: the last event the row reflects (decision 0025). */
export class FreshnessView {
  @ApiProperty({ type: 'integer', example: 2, description: "The aggregate's version the row reflects; 0 for a booking the API requested that booking has not answered yet. `afterVersion` and ETag name it." })
  version!: number;

  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The last event applied; null before the first.' })
  lastEventId!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'BookingConfirmed' })
  lastEventType!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When the last event applied happened (its producer\'s time).' })
  lastEventAt!: string | null;

  @ApiProperty({ type: PositionView, nullable: true, description: 'Where that event sat in Kafka.' })
  position!: PositionView | null;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the gateway applied it.' })
  appliedAt!: string;
}

export function money(amountMinor: bigint | null, currency: string | null): MoneyView | null {
  return amountMinor === null || currency === null ? null : { amountMinor: Number(amountMinor), currency };
}

export function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

export function freshnessOf(row: ReflectsEvent): FreshnessView {
  return {
    version: Number(row.version),
    lastEventId: row.lastEventId,
    lastEventType: row.lastEventType,
    lastEventAt: iso(row.lastEventAt),
    position: row.lastTopic === null || row.lastPartition === null || row.lastOffset === null ? null : { topic: row.lastTopic, partition: row.lastPartition, offset: row.lastOffset },
    appliedAt: row.appliedAt.toISOString(),
  };
}

export class PageView {
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor!: string | null;
}

