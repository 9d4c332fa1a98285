import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { PaymentCommands } from '../../application/payment-commands';
import { CurrentPrincipal, RequirePermission, type Principal } from '../../auth/principal';
import { Idempotent } from '../../idempotency';
import { changeKey } from '../../read-models/changes-channel';
import { ReadModelChangeListener } from '../../read-models/change-listener';
import { ReadModels } from '../../read-models/read-models';
import { TERMINAL_REFUND_STATUSES, type RefundViewEntity } from '../../read-models/refund-view.entity';
import { ApiProblems } from '../api-responses';
import { GetQuery } from '../bookings/booking.requests';
import { WAIT_HEADERS } from '../bookings/bookings.controller';
import { callerOf, merchantOf, resourceId } from '../caller';
import { ProblemException } from '../problem';
import { refundProblem } from './refund-problems';
import { answerResource, setFreshnessHeaders } from '../prefer-wait';
import { CreateRefundBody, DEFAULT_REFUND_REASON } from './refund.requests';
import { RefundList, RefundView, refundView } from './refund.view';

const LOCATION = { Location: { description: 'The refund: GET it (with Prefer: wait=N) to follow it.', schema: { type: 'string', example: '/v1/payments/3f0c…/refunds/9a1e…' } } };

/**
 * Refunds of a payment: asked for through payment.commands.v1 (202, the refund PENDING), settled by
 * payment's events; read from the gateway's read model, which also lists refunds made otherwise.
 */
@ApiTags('payments')
@ApiBearerAuth()
@Controller('v1/payments/:id/refunds')
export class RefundsController {
  constructor(
    @Inject(ReadModels) private readonly readModels: ReadModels,
    @Inject(PaymentCommands) private readonly commands: PaymentCommands,
    @Inject(ReadModelChangeListener) private readonly changes: ReadModelChangeListener,
  ) {}

  @Post()
  @HttpCode(202)
  @RequirePermission('payments:refund')
  @Idempotent({ required: true })
  @ApiOperation({ summary: 'Refund a payment', description: "Sends RefundPayment to payment; the refund exists at once as PENDING, then SUCCEEDED, FAILED or REJECTED. Asked by staff above the merchant's refundApprovalThresholdMinor, it is AWAITING_APPROVAL instead (approvalId: a four-eyes request) until another person approves it (then PENDING), refuses it (CANCELLED), or nobody does in time (EXPIRED). Money moves: an Idempotency-Key is required." })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiAcceptedResponse({ type: RefundView, headers: LOCATION })
  @ApiProblems(400, 401, 403, 404, 409, 422)
  async create(@Param('id') id: string, @Body() body: CreateRefundBody, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) response: Response): Promise<RefundView> {
    const paymentId = resourceId(id, 'payment');
    const request = { refundId: randomUUID(), paymentId, amount: { amountMinor: BigInt(body.amount.amountMinor), currency: body.amount.currency }, reason: body.reason ?? DEFAULT_REFUND_REASON };
    const now = new Date();
    const row = await this.commands.refund(principal, callerOf(principal), request, now).catch(refundProblem);
    response.setHeader('Location', `/v1/payments/${paymentId}/refunds/${row.refundId}`);
    setFreshnessHeaders(response, row, undefined);
    return refundView(row, now);
  }

  @Get()
  @RequirePermission('payments:read')
  @ApiOperation({ summary: "List a payment's refunds", description: 'Every refund of the payment, oldest first, however it was made.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: RefundList })
  @ApiProblems(400, 401, 403, 404)
  async list(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<RefundList> {
    const merchantId = merchantOf(principal);
    const paymentId = resourceId(id, 'payment');
    if ((await this.readModels.payment(merchantId, paymentId)) === null) throw ProblemException.of('not-found', `There is no payment ${paymentId}.`);
    const now = new Date();
    return { data: (await this.readModels.refunds(merchantId, paymentId)).map((row) => refundView(row, now)) };
  }

  @Get(':refundId')
  @RequirePermission('payments:read')
  @ApiOperation({ summary: 'Get a refund', description: 'ETag is its version. With Prefer: wait=N, answers when it changes, is settled, or N s passed.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiParam({ name: 'refundId', format: 'uuid' })
  @ApiHeader(WAIT_HEADERS.prefer)
  @ApiHeader(WAIT_HEADERS.ifNoneMatch)
  @ApiOkResponse({ type: RefundView, headers: { ETag: { schema: { type: 'string' } }, 'Preference-Applied': { schema: { type: 'string' } } } })
  @ApiResponse({ status: 304, description: 'With If-None-Match: the refund is still at that version when the wait ended.' })
  @ApiProblems(400, 401, 403, 404)
  async get(
    @Param('id') id: string,
    @Param('refundId') refund: string,
    @Query() query: GetQuery,
    @Headers('prefer') prefer: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<RefundView | undefined> {
    const merchantId = merchantOf(principal);
    const paymentId = resourceId(id, 'payment');
    const refundId = resourceId(refund, 'refund');
    const row = await answerResource({
      read: (): Promise<RefundViewEntity | null> => this.readModels.refund(merchantId, paymentId, refundId),
      subscribe: () => this.changes.subscribe(changeKey('refund', merchantId, refundId)),
      terminal: TERMINAL_REFUND_STATUSES,
      afterVersion: query.afterVersion,
      prefer,
      ifNoneMatch,
      response,
      notFound: () => ProblemException.of('not-found', `There is no refund ${refundId} of payment ${paymentId}.`),
    });
    return row === undefined ? undefined : refundView(row, new Date());
  }
}
