import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ResourceCommands } from '../../application/resource-commands';
import { CurrentPrincipal, RequirePermission, type Principal } from '../../auth/principal';
import { Idempotent } from '../../idempotency';
import { ResourceReads } from '../../read-models/resource-views';
import { ApiProblems } from '../api-responses';
import { callerOf, merchantOf } from '../caller';
import { DEFAULT_PAGE_SIZE, PageQuery } from '../page-query';
import { ProblemException } from '../problem';
import { RegisterResourceBody, RESOURCE_ID, ResourcePage, ResourceView, resourceView } from './resource.dto';

/** Bookable resources: registered by booking (RegisterResource through the outbox), read from the gateway's read model. */
@ApiTags('resources')
@ApiBearerAuth()
@Controller('v1/resources')
export class ResourcesController {
  constructor(
    @Inject(ResourceCommands) private readonly commands: ResourceCommands,
    @Inject(ResourceReads) private readonly reads: ResourceReads,
  ) {}

  @Post()
  @HttpCode(202)
  @RequirePermission('resources:write')
  @Idempotent({ required: false })
  @ApiOperation({ summary: 'Register (or rename) a bookable resource', description: 'Sends RegisterResource to booking; the resource is REQUESTED at once and REGISTERED when booking has made it exist.' })
  @ApiAcceptedResponse({ type: ResourceView, headers: { Location: { description: 'The resource.', schema: { type: 'string', example: '/v1/resources/court-3' } } } })
  @ApiProblems(400, 401, 403, 409, 422)
  async register(@Body() body: RegisterResourceBody, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) response: Response): Promise<ResourceView> {
    const caller = callerOf(principal);
    const row = await this.commands.register(caller, { resourceId: body.resourceId, name: body.name.trim() }, new Date());
    response.setHeader('Location', `/v1/resources/${row.resourceId}`);
    return resourceView(row);
  }

  @Get()
  @RequirePermission('resources:read')
  @ApiOperation({ summary: "The merchant's resources, by id" })
  @ApiOkResponse({ type: ResourcePage })
  @ApiProblems(400, 401, 403)
  async list(@Query() query: PageQuery, @CurrentPrincipal() principal: Principal): Promise<ResourcePage> {
    const { rows, nextCursor } = await this.reads.page(merchantOf(principal), query.limit ?? DEFAULT_PAGE_SIZE, query.cursor);
    return { data: rows.map(resourceView), nextCursor };
  }

  @Get(':resourceId')
  @RequirePermission('resources:read')
  @ApiOperation({ summary: 'One resource' })
  @ApiParam({ name: 'resourceId', type: String })
  @ApiOkResponse({ type: ResourceView })
  @ApiProblems(401, 403, 404)
  async get(@Param('resourceId') resourceId: string, @CurrentPrincipal() principal: Principal): Promise<ResourceView> {
    const merchantId = merchantOf(principal);
    const row = RESOURCE_ID.test(resourceId) ? await this.reads.one(merchantId, resourceId) : null;
    if (row === null) throw ProblemException.of('not-found', `There is no resource ${resourceId.slice(0, 100)}.`);
    return resourceView(row);
  }
}
