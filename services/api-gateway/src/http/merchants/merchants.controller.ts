import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Merchants } from '../../auth/merchants.service';
import { AuthenticatedRoute, CurrentPrincipal, RequirePermission, type Principal } from '../../auth/principal';
import { ApiProblems } from '../api-responses';
import { PageQuery } from '../page-query';
import { CreateMerchantBody, MerchantPage, MerchantView, merchantView } from './merchant.dto';

/** Merchants: created and listed by platform admins; each merchant's credentials read their own (decision 0024). */
@ApiTags('merchants')
@ApiBearerAuth()
@Controller('v1/merchants')
export class MerchantsController {
  constructor(@Inject(Merchants) private readonly merchants: Merchants) {}

  @Post()
  @HttpCode(201)
  @RequirePermission('merchants:manage')
  @ApiOperation({ summary: 'Create a merchant (platform-admin)', description: 'The id is the caller\u2019s choice, so a retry after a lost answer is a 409 naming the existing merchant, never a second one.' })
  @ApiCreatedResponse({ type: MerchantView })
  @ApiProblems(400, 401, 403, 409)
  async create(@Body() body: CreateMerchantBody): Promise<MerchantView> {
    return merchantView(await this.merchants.create(body));
  }

  @Get()
  @RequirePermission('merchants:manage')
  @ApiOperation({ summary: 'List merchants (platform-admin)', description: 'Newest first; cursor pagination (limit ≤ 100).' })
  @ApiOkResponse({ type: MerchantPage })
  @ApiProblems(400, 401, 403)
  async list(@Query() query: PageQuery): Promise<MerchantPage> {
    const page = await this.merchants.list(query);
    return { data: page.rows.map(merchantView), nextCursor: page.nextCursor };
  }

  @Get(':merchantId')
  @AuthenticatedRoute()
  @ApiOperation({ summary: 'Get a merchant', description: 'A platform-admin reads any merchant; a merchant\u2019s own credentials (any role) read their own; any other merchant is 404.' })
  @ApiParam({ name: 'merchantId', example: 'acme-rooms' })
  @ApiOkResponse({ type: MerchantView })
  @ApiProblems(401, 404)
  async get(@Param('merchantId') merchantId: string, @CurrentPrincipal() principal: Principal): Promise<MerchantView> {
    return merchantView(await this.merchants.get(principal, merchantId));
  }
}
