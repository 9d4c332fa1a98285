import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { BookingEndedError, BookingNotFoundError } from '../../application/booking-command';
import { BookingCommands } from '../../application/booking-commands';
import { DEFAULT_CANCEL_REASON } from '../../application/cancel-booking/cancel-booking';
import { DEFAULT_HOLD_SECONDS } from '../../application/request-booking/request-booking';
import { CurrentPrincipal, RequirePermission, type Principal } from '../../auth/principal';
import { Idempotent } from '../../idempotency';
import { changeKey, listChangeKey } from '../../read-models/changes-channel';
import { ReadModelChangeListener } from '../../read-models/change-listener';
import { ReadModels, type BookingRead } from '../../read-models/read-models';
import type { BookingViewEntity } from '../../read-models/read-model.entities';
import { ApiProblems } from '../api-responses';
import { callerOf, merchantOf, resourceId } from '../caller';
import { ProblemException } from '../problem';
import { answerList, answerResource, pageTagOf, setFreshnessHeaders } from '../prefer-wait';
import { CancelBookingBody, CompleteBookingBody, CreateBookingBody, DEFAULT_PAGE_SIZE, GetQuery, ListBookingsQuery } from './booking.requests';
import { BookingPage, BookingView, bookingView, TERMINAL_BOOKING_STATUSES } from './booking.view';

/** A delivery reported this far ahead of our clock is refused (clocks differ a little; not by this). */
const MAX_DELIVERY_SKEW_MS = 5 * 60_000;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

const LOCATION = { Location: { description: 'The booking: GET it (with Prefer: wait=N) to follow it.', schema: { type: 'string', example: '/v1/bookings/3f0c…' } } };
export const WAIT_HEADERS = {
  prefer: { name: 'Prefer', required: false, description: 'wait=N (N ≤ 30 s): answer when the booking moves past `afterVersion` (or the If-None-Match version, or the version found), or is terminal, or N s passed.' },
  ifNoneMatch: { name: 'If-None-Match', required: false, description: 'W/"v<version>" from a previous ETag: the version to wait past; 304 if it is unchanged when the wait ends.' },
};
export const LIST_WAIT_HEADERS = {
  prefer: { name: 'Prefer', required: false, description: 'wait=N (N ≤ 30 s): answer when this page changes (a row on it moves, a row enters or leaves the filter) past the If-None-Match tag (or the page found), or N s passed. Changes elsewhere do not answer it.' },
  ifNoneMatch: { name: 'If-None-Match', required: false, description: 'W/"p<hex>" from a previous ETag of the same page (same filter and cursor): the page to wait past; 304 if it is unchanged when the answer is due.' },
};

/** The use cases' refusals as the API answers them. */
function asProblem(error: unknown): never {
  if (error instanceof BookingNotFoundError) throw ProblemException.of('not-found', error.message);
  if (error instanceof BookingEndedError) throw ProblemException.of('conflict', error.message, { bookingId: error.bookingId, currentStatus: error.currentStatus });
  throw error;
}

function accepted(response: Response, row: BookingViewEntity): BookingView {
  response.setHeader('Location', `/v1/bookings/${row.bookingId}`);
  setFreshnessHeaders(response, row, undefined);
  return bookingView(row);
}

/**
 * Bookings through the API: commands go to booking through the outbox (202, the booking in its
 * current state); reads come from the gateway's read model, saying how fresh they are.
 */
@ApiTags('bookings')
@ApiBearerAuth()
@Controller('v1/bookings')
export class BookingsController {
  constructor(
    @Inject(ReadModels) private readonly readModels: ReadModels,
    @Inject(BookingCommands) private readonly commands: BookingCommands,
    @Inject(ReadModelChangeListener) private readonly changes: ReadModelChangeListener,
  ) {}

  @Post()
  @HttpCode(202)
  @RequirePermission('bookings:write')
  @ApiOperation({ summary: 'Request a booking', description: 'Sends RequestBooking to booking; the booking exists at once as REQUESTED, then HELD or REJECTED, then CONFIRMED when payment authorizes.' })
  @Idempotent({ required: true })
  @ApiAcceptedResponse({ type: BookingView, headers: LOCATION })
  @ApiProblems(400, 401, 403, 409, 422)
  async create(@Body() body: CreateBookingBody, @CurrentPrincipal() principal: Principal, @Headers('idempotency-key') idempotencyKey: string | undefined, @Res({ passthrough: true }) response: Response): Promise<BookingView> {
    const caller = callerOf(principal);
    const bookingId = randomUUID();
    const key = idempotencyKey !== undefined && IDEMPOTENCY_KEY.test(idempotencyKey) ? idempotencyKey : bookingId;
    const request = {
      bookingId,
      requestIdempotencyKey: key,
      resourceId: body.resourceId,
      startsAt: new Date(body.slot.startsAt),
      endsAt: new Date(body.slot.endsAt),
      price: { amountMinor: BigInt(body.price.amountMinor), currency: body.price.currency },
      customerId: body.customerId,
      customerEmail: body.customerEmail ?? null,
      holdForSeconds: body.holdForSeconds ?? DEFAULT_HOLD_SECONDS,
    };
    const row = await this.commands.request(caller, request, new Date());
    return accepted(response, row);
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @RequirePermission('bookings:write')
  @Idempotent({ required: false })
  @ApiOperation({ summary: 'Cancel a booking', description: 'Sends CancelBooking; booking releases the slot and voids or refunds by policy.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiAcceptedResponse({ type: BookingView, headers: LOCATION })
  @ApiProblems(400, 401, 403, 404, 409)
  async cancel(@Param('id') id: string, @Body() body: CancelBookingBody, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) response: Response): Promise<BookingView> {
    const caller = callerOf(principal);
    const bookingId = resourceId(id, 'booking');
    const row = await this.commands.cancel(caller, bookingId, body.reason ?? DEFAULT_CANCEL_REASON, new Date()).catch(asProblem);
    return accepted(response, row);
  }

  @Post(':id/complete')
  @HttpCode(202)
  @RequirePermission('bookings:write')
  @Idempotent({ required: false })
  @ApiOperation({ summary: 'Report a booking delivered', description: 'Sends CompleteBooking; booking completes a CONFIRMED booking and the ledger releases escrow.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiAcceptedResponse({ type: BookingView, headers: LOCATION })
  @ApiProblems(400, 401, 403, 404, 409)
  async complete(@Param('id') id: string, @Body() body: CompleteBookingBody, @CurrentPrincipal() principal: Principal, @Res({ passthrough: true }) response: Response): Promise<BookingView> {
    const caller = callerOf(principal);
    const bookingId = resourceId(id, 'booking');
    const now = new Date();
    const deliveredAt = body.deliveredAt === undefined ? now : new Date(body.deliveredAt);
    if (deliveredAt.getTime() > now.getTime() + MAX_DELIVERY_SKEW_MS) {
      throw new ProblemException({ ...ProblemException.of('validation-failed', 'A delivery cannot be in the future.').problem, errors: [{ pointer: '/deliveredAt', detail: 'deliveredAt must not be in the future' }] });
    }
    const delivery = { deliveredAt, reason: body.reason ?? null };
    const row = await this.commands.complete(caller, bookingId, delivery, now).catch(asProblem);
    return accepted(response, row);
  }

  @Get()
  @RequirePermission('bookings:read')
  @ApiOperation({ summary: 'List bookings', description: 'Newest first; cursor pagination (limit ≤ 100); filter by status and creation time. Each item says how fresh it is; the ETag names the page. With Prefer: wait=N, answers when the page changes or N s passed.' })
  @ApiHeader(LIST_WAIT_HEADERS.prefer)
  @ApiHeader(LIST_WAIT_HEADERS.ifNoneMatch)
  @ApiOkResponse({ type: BookingPage, headers: { ETag: { schema: { type: 'string' } }, 'Preference-Applied': { schema: { type: 'string' } } } })
  @ApiResponse({ status: 304, description: 'With If-None-Match: the page is still the one named when the answer is due.' })
  @ApiProblems(400, 401, 403)
  async list(
    @Query() query: ListBookingsQuery,
    @Headers('prefer') prefer: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<BookingPage | undefined> {
    const merchantId = merchantOf(principal);
    const filter = {
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      ...(query.status === undefined ? {} : { statuses: query.status }),
      ...(query.createdFrom === undefined ? {} : { createdFrom: new Date(query.createdFrom) }),
      ...(query.createdTo === undefined ? {} : { createdTo: new Date(query.createdTo) }),
    };
    const page = await answerList({
      read: () => this.readModels.listBookings(merchantId, filter),
      tagOf: (found) => pageTagOf(found.rows.map((row) => ({ id: row.bookingId, version: row.version })), found.nextCursor),
      subscribe: () => this.changes.subscribe(listChangeKey('booking', merchantId)),
      prefer,
      ifNoneMatch,
      response,
    });
    return page === undefined ? undefined : { data: page.rows.map(bookingView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @RequirePermission('bookings:read')
  @ApiOperation({ summary: 'Get a booking', description: 'From the read model; ETag is its version. With Prefer: wait=N, answers when it changes (LISTEN/NOTIFY), is terminal, or N s passed.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiHeader(WAIT_HEADERS.prefer)
  @ApiHeader(WAIT_HEADERS.ifNoneMatch)
  @ApiOkResponse({ type: BookingView, headers: { ETag: { schema: { type: 'string' } }, 'Preference-Applied': { schema: { type: 'string' } } } })
  @ApiResponse({ status: 304, description: 'With If-None-Match: the booking is still at that version when the wait ended.' })
  @ApiProblems(400, 401, 403, 404)
  async get(
    @Param('id') id: string,
    @Query() query: GetQuery,
    @Headers('prefer') prefer: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<BookingView | undefined> {
    const merchantId = merchantOf(principal);
    const bookingId = resourceId(id, 'booking');
    const row = await answerResource({
      read: (): Promise<BookingRead | null> => this.readModels.booking(merchantId, bookingId),
      subscribe: () => this.changes.subscribe(changeKey('booking', merchantId, bookingId)),
      terminal: TERMINAL_BOOKING_STATUSES,
      afterVersion: query.afterVersion,
      prefer,
      ifNoneMatch,
      response,
      notFound: () => ProblemException.of('not-found', `There is no booking ${bookingId}.`),
    });
    return row === undefined ? undefined : bookingView(row);
  }
}
