import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';
import type { ResourceViewEntity } from '../../read-models/resource-view.entity';
import { PageView } from '../views';

export const RESOURCE_ID = /^[A-Za-z0-9_.-]{1,100}$/;

export class RegisterResourceBody {
  @ApiProperty({ type: String, example: 'court-3', description: "The merchant's own id for the resource: 1..100 of A-Z a-z 0-9 _ . -. Registering it again with another name renames it." })
  @IsString()
  @Matches(RESOURCE_ID, { message: 'resourceId must be 1..100 of A-Z a-z 0-9 _ . -' })
  resourceId!: string;

  @ApiProperty({ type: String, example: 'Court 3', description: 'What people call it, 1..200 characters.' })
  @IsString()
  @Length(1, 200)
  name!: string;
}

export class ResourceView {
  @ApiProperty({ type: String, example: 'court-3' })
  id!: string;

  @ApiProperty({ type: String, example: 'Court 3' })
  name!: string;

  @ApiProperty({ enum: ['REQUESTED', 'REGISTERED'], description: 'REQUESTED until booking registered it; bookings may name it once REGISTERED.' })
  status!: 'REQUESTED' | 'REGISTERED';

  @ApiPropertyOptional({ type: String, nullable: true, description: 'A rename asked for and not registered yet.' })
  requestedName!: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: "When booking's last ResourceRegistered for it happened." })
  lastEventAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;
}

export class ResourcePage extends PageView {
  @ApiProperty({ type: [ResourceView] })
  data!: ResourceView[];
}

export function resourceView(row: ResourceViewEntity): ResourceView {
  return {
    id: row.resourceId,
    name: row.name,
    status: row.status,
    requestedName: row.requestedName,
    lastEventAt: row.lastEventAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}
