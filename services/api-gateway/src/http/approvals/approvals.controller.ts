import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApprovalDecisions } from '../../auth/approval-decisions';
import { Approvals } from '../../auth/approvals.service';
import { CurrentPrincipal, RequirePermission, type Principal } from '../../auth/principal';
import { ApiProblems } from '../api-responses';
import { resourceId } from '../caller';
import { PageQuery } from '../page-query';
import { refundProblem } from '../payments/refund-problems';
import { refundPolicyProblem } from '../refund-policy/refund-policy-problems';
import { refundView } from '../payments/refund.view';
import { ApprovalPage, ApprovalView, approvalView, ApprovedView, RefuseBody } from './approval.dto';

/** Four-eyes requests of the calling merchant (approvals:decide): listed, read, approved or refused by someone other than the requester. */
@ApiTags('approvals')
@ApiBearerAuth()
@Controller('v1/approvals')
export class ApprovalsController {
  constructor(
    @Inject(Approvals) private readonly approvals: Approvals,
    @Inject(ApprovalDecisions) private readonly decisions: ApprovalDecisions,
  ) {}

  @Get()
  @RequirePermission('approvals:decide')
  @ApiOperation({ summary: 'List approval requests', description: 'Newest first, decided and expired ones included; cursor pagination (limit ≤ 100).' })
  @ApiOkResponse({ type: ApprovalPage })
  @ApiProblems(400, 401, 403)
  async list(@Query() query: PageQuery, @CurrentPrincipal() principal: Principal): Promise<ApprovalPage> {
    const page = await this.approvals.list(principal, query);
    const now = new Date();
    return { data: page.rows.map((row) => approvalView(row, now)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequirePermission('approvals:decide')
  @ApiOperation({ summary: 'Get an approval request' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ApprovalView })
  @ApiProblems(401, 403, 404)
  async get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<ApprovalView> {
    return approvalView(await this.approvals.get(principal, resourceId(id, 'approval request')), new Date());
  }

  @Post(':id/approve')
  @HttpCode(200)
  @RequirePermission('approvals:decide')
  @ApiOperation({ summary: 'Approve a request (not your own)', description: 'Carries the operation out in the same transaction: create_api_key answers the created key, whole, once (ApiKeyCreated); refund_payment judges the refund again and sends it (422 refund-exceeds-refundable if it no longer fits; the request then stays to be refused); set_refund_policy sends the change to booking (409 if a later change replaced it). ApprovalGranted on security.events.v1. 403 for the requester; 409 when already decided or expired (`currentStatus`).' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ApprovedView })
  @ApiProblems(401, 403, 404, 409, 422)
  async approve(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<ApprovedView> {
    const { approval, key, refund } = await this.decisions.approve(principal, resourceId(id, 'approval request')).catch(refundProblem).catch(refundPolicyProblem);
    return { approval: approvalView(approval, new Date()), key, refund: refund === null ? null : refundView(refund, new Date()) };
  }

  @Post(':id/refuse')
  @HttpCode(200)
  @RequirePermission('approvals:decide')
  @ApiOperation({ summary: 'Refuse a request (not your own)', description: 'Nothing is done; ApprovalRefused on security.events.v1. 403 for the requester; 409 when already decided or expired.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ApprovalView })
  @ApiProblems(400, 401, 403, 404, 409)
  async refuse(@Param('id') id: string, @Body() body: RefuseBody, @CurrentPrincipal() principal: Principal): Promise<ApprovalView> {
    return approvalView(await this.decisions.refuse(principal, resourceId(id, 'approval request'), body.reason ?? null), new Date());
  }
}
