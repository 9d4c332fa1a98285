import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission, type Principal } from '../../auth/principal';
import { ApiProblems } from '../api-responses';
import { resourceId } from '../caller';
import { ApprovalView, approvalView } from '../approvals/approval.dto';
import { PageQuery } from '../page-query';
import { ApiKeyPage, ApiKeyView, CreatedApiKeyView, CreateApiKeyBody } from './api-key.dto';
import { ApiKeys } from '../../auth/api-keys.service';

/**
 * The calling merchant's API keys (keys:manage). The whole key is in the creation's answer only.
 * Creation takes no Idempotency-Key: a replayed answer would have to store the secret (decision 0024).
 */
@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(@Inject(ApiKeys) private readonly apiKeys: ApiKeys) {}

  @Post()
  @HttpCode(201)
  @RequirePermission('keys:manage')
  @ApiOperation({ summary: 'Create an API key', description: 'Answers the whole key once (only its scrypt hash is stored) with its id and prefix; ApiKeyCreated goes to security.events.v1 in the same transaction. The role may not be above the creator\u2019s (403 lists `grantableRoles`). An owner key asked for by staff needs a second person: 202 with a four-eyes request.' })
  @ApiCreatedResponse({ type: CreatedApiKeyView })
  @ApiAcceptedResponse({ type: ApprovalView, description: 'An owner key asked for by staff: a four-eyes request (Location: /v1/approvals/{id}); the key is created when someone else approves it.' })
  @ApiProblems(400, 401, 403, 404)
  async create(@Body() body: CreateApiKeyBody, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) response: Response): Promise<CreatedApiKeyView | ApprovalView> {
    const result = await this.apiKeys.create(principal, body);
    if (!('approval' in result)) return result;
    response.status(202).setHeader('Location', `/v1/approvals/${result.approval.id}`);
    return approvalView(result.approval, new Date());
  }

  @Get()
  @RequirePermission('keys:manage')
  @ApiOperation({ summary: 'List API keys', description: 'Newest first, revoked and expired ones included; cursor pagination (limit ≤ 100). Never the secret or its hash.' })
  @ApiOkResponse({ type: ApiKeyPage })
  @ApiProblems(400, 401, 403)
  list(@Query() query: PageQuery, @CurrentPrincipal() principal: Principal): Promise<ApiKeyPage> {
    return this.apiKeys.list(principal, query);
  }

  @Get(':id')
  @RequirePermission('keys:manage')
  @ApiOperation({ summary: 'Get an API key' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ApiKeyView })
  @ApiProblems(401, 403, 404)
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<ApiKeyView> {
    return this.apiKeys.get(principal, resourceId(id, 'API key'));
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @RequirePermission('keys:manage')
  @ApiOperation({ summary: 'Revoke an API key', description: 'Refused from this moment on every gateway instance; ApiKeyRevoked goes to security.events.v1 in the same transaction. Revoking a revoked key answers it unchanged.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ApiKeyView })
  @ApiProblems(401, 403, 404)
  revoke(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<ApiKeyView> {
    return this.apiKeys.revoke(principal, resourceId(id, 'API key'));
  }
}
