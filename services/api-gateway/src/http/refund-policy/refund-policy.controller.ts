import { Body, Controller, Get, HttpCode, Inject, Put } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RefundPolicies } from '../../application/refund-policies';
import { CurrentPrincipal, RequirePermission, type Principal } from '../../auth/principal';
import { Idempotent } from '../../idempotency';
import { ApiProblems } from '../api-responses';
import { callerOf, merchantOf } from '../caller';
import { refundPolicyProblem } from './refund-policy-problems';
import { RefundPolicyView, refundPolicyView, SetRefundPolicyBody } from './refund-policy.dto';

/** The caller's merchant's cancellation terms: booking owns them; set through SetRefundPolicy, read from the gateway's read model. */
@ApiTags('refund-policy')
@ApiBearerAuth()
@Controller('v1/refund-policy')
export class RefundPolicyController {
  constructor(@Inject(RefundPolicies) private readonly policies: RefundPolicies) {}

  @Get()
  @RequirePermission('policies:read')
  @ApiOperation({ summary: "Get the merchant's refund policy", description: "The terms that hold (the merchant's, or the platform's default) and a change asked for that booking has not applied yet." })
  @ApiOkResponse({ type: RefundPolicyView })
  @ApiProblems(401, 403)
  async get(@CurrentPrincipal() principal: Principal): Promise<RefundPolicyView> {
    return refundPolicyView(await this.policies.read(merchantOf(principal)), new Date());
  }

  @Put()
  @HttpCode(202)
  @RequirePermission('policies:write')
  @Idempotent({ required: false })
  @ApiOperation({ summary: "Set the merchant's refund policy", description: 'Checked by booking\u2019s own rule (400 naming /tiers), then SetRefundPolicy to booking: 202 with the change pending (SENT); GET shows it applied once booking answered RefundPolicySet. A change by a staff user waits for another person instead (pending AWAITING_APPROVAL, approvalId). Bookings made before keep their terms.' })
  @ApiAcceptedResponse({ type: RefundPolicyView })
  @ApiProblems(400, 401, 403)
  async set(@Body() body: SetRefundPolicyBody, @CurrentPrincipal() principal: Principal): Promise<RefundPolicyView> {
    const request = { tiers: body.tiers.map((tier) => ({ minNotice_ms: tier.minNoticeSeconds * 1_000, refund_bp: tier.refundBp })), otherwise_bp: body.otherwiseBp, reason: body.reason ?? 'MERCHANT_REQUEST' };
    const now = new Date();
    return refundPolicyView(await this.policies.set(principal, callerOf(principal), request, now).catch(refundPolicyProblem), now);
  }
}
