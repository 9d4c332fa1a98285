import { Controller, Get, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsArray, IsIn, IsOptional } from 'class-validator';
import type { Response } from 'express';
import { CurrentPrincipal, RequirePermission, type Principal } from '../../auth/principal';
import { changeKey, listChangeKey } from '../../read-models/changes-channel';
import { ReadModelChangeListener } from '../../read-models/change-listener';
import { ReadModels } from '../../read-models/read-models';
import type { PaymentViewEntity } from '../../read-models/read-model.entities';
import { ApiProblems } from '../api-responses';
import { DEFAULT_PAGE_SIZE, GetQuery, ListQuery } from '../bookings/booking.requests';
import { LIST_WAIT_HEADERS, WAIT_HEADERS } from '../bookings/bookings.controller';
import { merchantOf, resourceId } from '../caller';
import { ProblemException } from '../problem';
import { answerList, answerResource, pageTagOf } from '../prefer-wait';
import { PAYMENT_VIEW_STATUSES, PaymentPage, PaymentView, paymentView, TERMINAL_PAYMENT_STATUSES } from './payment.view';

export class ListPaymentsQuery extends ListQuery {
  @ApiPropertyOptional({ enum: PAYMENT_VIEW_STATUSES, isArray: true, description: 'One or more, comma-separated.' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',') : value))
  @IsArray()
  @IsIn(PAYMENT_VIEW_STATUSES, { each: true })
  status?: string[];
}

/** Payments as the gateway's read model knows them from payment's events (their refunds: refunds.controller.ts). */
@ApiTags('payments')
@ApiBearerAuth()
@Controller('v1/payments')
export class PaymentsController {
  constructor(
    @Inject(ReadModels) private readonly readModels: ReadModels,
    @Inject(ReadModelChangeListener) private readonly changes: ReadModelChangeListener,
  ) {}

  @Get()
  @RequirePermission('payments:read')
  @ApiOperation({ summary: 'List payments', description: 'Newest first; cursor pagination (limit ≤ 100); filter by status and creation time; the ETag names the page. With Prefer: wait=N, answers when the page changes or N s passed.' })
  @ApiHeader(LIST_WAIT_HEADERS.prefer)
  @ApiHeader(LIST_WAIT_HEADERS.ifNoneMatch)
  @ApiOkResponse({ type: PaymentPage, headers: { ETag: { schema: { type: 'string' } }, 'Preference-Applied': { schema: { type: 'string' } } } })
  @ApiResponse({ status: 304, description: 'With If-None-Match: the page is still the one named when the answer is due.' })
  @ApiProblems(400, 401, 403)
  async list(
    @Query() query: ListPaymentsQuery,
    @Headers('prefer') prefer: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PaymentPage | undefined> {
    const merchantId = merchantOf(principal);
    const filter = {
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      ...(query.status === undefined ? {} : { statuses: query.status }),
      ...(query.createdFrom === undefined ? {} : { createdFrom: new Date(query.createdFrom) }),
      ...(query.createdTo === undefined ? {} : { createdTo: new Date(query.createdTo) }),
    };
    const page = await answerList({
      read: () => this.readModels.listPayments(merchantId, filter),
      tagOf: (found) => pageTagOf(found.rows.map((row) => ({ id: row.paymentId, version: row.version })), found.nextCursor),
      subscribe: () => this.changes.subscribe(listChangeKey('payment', merchantId)),
      prefer,
      ifNoneMatch,
      response,
    });
    return page === undefined ? undefined : { data: page.rows.map(paymentView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequirePermission('payments:read')
  @ApiOperation({ summary: 'Get a payment', description: 'From the read model; ETag is its version. With Prefer: wait=N, answers when it changes, is terminal, or N s passed.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiHeader(WAIT_HEADERS.prefer)
  @ApiHeader(WAIT_HEADERS.ifNoneMatch)
  @ApiOkResponse({ type: PaymentView, headers: { ETag: { schema: { type: 'string' } }, 'Preference-Applied': { schema: { type: 'string' } } } })
  @ApiResponse({ status: 304, description: 'With If-None-Match: the payment is still at that version when the wait ended.' })
  @ApiProblems(400, 401, 403, 404)
  async get(
    @Param('id') id: string,
    @Query() query: GetQuery,
    @Headers('prefer') prefer: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PaymentView | undefined> {
    const merchantId = merchantOf(principal);
    const paymentId = resourceId(id, 'payment');
    const row = await answerResource({
      read: (): Promise<PaymentViewEntity | null> => this.readModels.payment(merchantId, paymentId),
      subscribe: () => this.changes.subscribe(changeKey('payment', merchantId, paymentId)),
      terminal: TERMINAL_PAYMENT_STATUSES,
      afterVersion: query.afterVersion,
      prefer,
      ifNoneMatch,
      response,
      notFound: () => ProblemException.of('not-found', `There is no payment ${paymentId}.`),
    });
    return row === undefined ? undefined : paymentView(row);
  }
}
