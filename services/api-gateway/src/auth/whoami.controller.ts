import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { AuthenticatedRoute, CurrentPrincipal, type Principal } from './principal';

export class WhoAmI {
  @ApiProperty({ type: String, enum: ['api_key', 'staff'] })
  kind!: 'api_key' | 'staff';

  @ApiProperty({ type: String, description: "The API key's id or the staff user's subject." })
  id!: string;

  @ApiProperty({ type: String, nullable: true, description: 'The merchant the credential acts for.' })
  merchantId!: string | null;

  @ApiProperty({ type: [String] })
  roles!: string[];

  @ApiProperty({ type: [String], description: 'What this credential may do.' })
  permissions!: string[];
}

/** `GET /v1/me`: what the presented credential is and may do — the first call a developer makes. */
@ApiTags('auth')
@ApiBearerAuth()
@Controller('v1/me')
export class WhoAmIController {
  @Get()
  @AuthenticatedRoute()
  @ApiOperation({ summary: 'The calling credential: kind, merchant, roles and permissions' })
  @ApiOkResponse({ type: WhoAmI })
  whoAmI(@CurrentPrincipal() principal: Principal): WhoAmI {
    return { kind: principal.kind, id: principal.id, merchantId: principal.tenantId, roles: [...principal.roles], permissions: [...principal.permissions].sort() };
  }
}
