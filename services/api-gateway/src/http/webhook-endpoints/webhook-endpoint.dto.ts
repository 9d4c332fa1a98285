import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsString, Length, Validate, ValidatorConstraint, type ValidatorConstraintInterface, type ValidationArguments } from 'class-validator';
import { ALL_EVENT_TYPES, DELIVERABLE_EVENT_TYPES, unknownEventTypes, urlProblem } from '../../webhooks/endpoint-rules';
import type { WebhookEndpointEntity } from '../../webhooks/webhook-endpoint.entity';
import { PageView } from '../views';

@ValidatorConstraint({ name: 'isEndpointUrl' })
class IsEndpointUrl implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && urlProblem(value) === null;
  }
  defaultMessage(args: ValidationArguments): string {
    return `url ${typeof args.value === 'string' ? (urlProblem(args.value) ?? '') : 'must be a string'}`;
  }
}

@ValidatorConstraint({ name: 'areDeliverableEventTypes' })
class AreDeliverableEventTypes implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return Array.isArray(value) && value.every((type) => typeof type === 'string') && unknownEventTypes(value as string[]).length === 0;
  }
  defaultMessage(args: ValidationArguments): string {
    const unknown = Array.isArray(args.value) ? unknownEventTypes(args.value.map(String)) : [];
    return `eventTypes must be ["${ALL_EVENT_TYPES}"] or event types of bookings and payments; unknown: ${unknown.join(', ')}`;
  }
}

export class CreateWebhookEndpointBody {
  @ApiProperty({ type: String, example: 'https://merchant.example/hooks/txn', description: 'https (plain http only on a loopback host), no credentials, no fragment, at most 2048 characters.' })
  @IsString()
  @Validate(IsEndpointUrl)
  url!: string;

  @ApiPropertyOptional({ type: [String], example: ['BookingConfirmed', 'PaymentRefunded'], description: `Default ["${ALL_EVENT_TYPES}"] (all). Otherwise some of: ${DELIVERABLE_EVENT_TYPES.join(', ')}.` })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(64)
  @Validate(AreDeliverableEventTypes)
  eventTypes?: string[];

  @ApiPropertyOptional({ type: String, example: 'production backend', description: '1..200 characters.' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  description?: string;
}

export class WebhookEndpointView {
  @ApiProperty({ type: String, format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, example: 'https://merchant.example/hooks/txn' })
  url!: string;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ type: [String], example: ['*'] })
  eventTypes!: string[];

  @ApiProperty({ enum: ['ENABLED', 'DISABLED'] })
  status!: string;

  @ApiProperty({ type: 'integer', example: 1, description: 'The signing secret in use; it changes at each rotation.' })
  secretVersion!: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'After a rotation: until when the previous secret still signs too.' })
  previousSecretValidUntil!: string | null;

  @ApiProperty({ type: String, example: 'staff:alice' })
  createdBy!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, example: 'api_key:…' })
  updatedBy!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt!: string;
}

export class WebhookEndpointWithSecretView extends WebhookEndpointView {
  @ApiProperty({ type: String, example: 'whsec_…', description: 'The signing secret (HMAC-SHA256 of each delivery), shown this once: store it. Not retrievable later; rotate to get a new one.' })
  secret!: string;
}

export class WebhookEndpointPage extends PageView {
  @ApiProperty({ type: [WebhookEndpointView] })
  data!: WebhookEndpointView[];
}

export function webhookEndpointView(row: WebhookEndpointEntity): WebhookEndpointView {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: [...row.eventTypes],
    status: row.status,
    secretVersion: row.secretVersion,
    previousSecretValidUntil: row.previousSecretValidUntil === null ? null : row.previousSecretValidUntil.toISOString(),
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedBy: row.updatedBy,
    updatedAt: row.updatedAt.toISOString(),
  };
}
