import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission, type Principal } from '../../auth/principal';
import { ALL_EVENT_TYPES } from '../../webhooks/endpoint-rules';
import { WebhookEndpoints, type EndpointWithSecret } from '../../webhooks/webhook-endpoints.service';
import { ApiProblems } from '../api-responses';
import { resourceId } from '../caller';
import { PageQuery } from '../page-query';
import { CreateWebhookEndpointBody, WebhookEndpointPage, WebhookEndpointView, webhookEndpointView, WebhookEndpointWithSecretView } from './webhook-endpoint.dto';

function withSecret(result: EndpointWithSecret): WebhookEndpointWithSecretView {
  return { ...webhookEndpointView(result.endpoint), secret: result.secret };
}

/**
 * The merchant's webhook endpoints (webhooks:manage), stored for the notification service, which
 * learns them from WebhookEndpointChanged. Creation and rotation take no Idempotency-Key: a
 * replayed answer would have to store the secret (as for API keys, decision 0024).
 */
@ApiTags('webhook-endpoints')
@ApiBearerAuth()
@Controller('v1/webhook-endpoints')
export class WebhookEndpointsController {
  constructor(@Inject(WebhookEndpoints) private readonly endpoints: WebhookEndpoints) {}

  @Post()
  @HttpCode(201)
  @RequirePermission('webhooks:manage')
  @ApiOperation({ summary: 'Add a webhook endpoint', description: 'Answers the endpoint and its signing secret, once. At most 16 per merchant (409 with `limit`). WebhookEndpointChanged (CREATED) goes to security.events.v1 in the same transaction.' })
  @ApiCreatedResponse({ type: WebhookEndpointWithSecretView })
  @ApiProblems(400, 401, 403, 409, 503)
  async create(@Body() body: CreateWebhookEndpointBody, @CurrentPrincipal() principal: Principal): Promise<WebhookEndpointWithSecretView> {
    return withSecret(await this.endpoints.create(principal, { url: body.url, eventTypes: body.eventTypes ?? [ALL_EVENT_TYPES], description: body.description ?? null }));
  }

  @Get()
  @RequirePermission('webhooks:manage')
  @ApiOperation({ summary: 'List webhook endpoints', description: 'Newest first, disabled ones included; cursor pagination (limit ≤ 100). Never a secret.' })
  @ApiOkResponse({ type: WebhookEndpointPage })
  @ApiProblems(400, 401, 403)
  async list(@Query() query: PageQuery, @CurrentPrincipal() principal: Principal): Promise<WebhookEndpointPage> {
    const page = await this.endpoints.list(principal, query);
    return { data: page.rows.map(webhookEndpointView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequirePermission('webhooks:manage')
  @ApiOperation({ summary: 'Get a webhook endpoint' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WebhookEndpointView })
  @ApiProblems(401, 403, 404)
  async get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<WebhookEndpointView> {
    return webhookEndpointView(await this.endpoints.get(principal, resourceId(id, 'webhook endpoint')));
  }

  @Post(':id/disable')
  @HttpCode(200)
  @RequirePermission('webhooks:manage')
  @ApiOperation({ summary: 'Disable a webhook endpoint', description: 'Nothing more is delivered to it; disabling a disabled one changes nothing.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WebhookEndpointView })
  @ApiProblems(401, 403, 404)
  async disable(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<WebhookEndpointView> {
    return webhookEndpointView(await this.endpoints.setStatus(principal, resourceId(id, 'webhook endpoint'), 'DISABLED'));
  }

  @Post(':id/enable')
  @HttpCode(200)
  @RequirePermission('webhooks:manage')
  @ApiOperation({ summary: 'Enable a webhook endpoint again' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WebhookEndpointView })
  @ApiProblems(401, 403, 404)
  async enable(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<WebhookEndpointView> {
    return webhookEndpointView(await this.endpoints.setStatus(principal, resourceId(id, 'webhook endpoint'), 'ENABLED'));
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @RequirePermission('webhooks:manage')
  @ApiOperation({ summary: "Rotate a webhook endpoint's signing secret", description: 'Answers the new secret, once; the previous one keeps signing for 24 h (previousSecretValidUntil), so the receiver switches without losing a delivery.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WebhookEndpointWithSecretView })
  @ApiProblems(401, 403, 404, 503)
  async rotate(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<WebhookEndpointWithSecretView> {
    return withSecret(await this.endpoints.rotate(principal, resourceId(id, 'webhook endpoint')));
  }
}
