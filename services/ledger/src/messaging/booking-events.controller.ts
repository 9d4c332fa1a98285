import { Controller, Inject, UseInterceptors } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { BookingCompleted } from '@txn/contracts';
import { InboxContext, SettleDecisions } from '@txn/nest-messaging';
import { LEDGER_CONTEXT, type LedgerContext } from '../application/ledger-context';
import type { LedgerDecided } from '../application/ledger-decided';
import { onBookingCompleted } from '../application/on-booking-completed/on-booking-completed';

/** booking.events.v1: only a completed booking moves money (escrow to the merchant); the rest are no-ops. */
@Controller()
@UseInterceptors(SettleDecisions)
export class BookingEventsController {
  constructor(@Inject(LEDGER_CONTEXT) private readonly context: LedgerContext) {}

  @EventPattern('BookingCompleted')
  completed(@Payload() event: BookingCompleted, @Ctx() inbox: InboxContext): Promise<LedgerDecided> {
    return onBookingCompleted(inbox.tx, event, { book: this.context.book, actor: this.context.actor, now: this.context.clock() });
  }
}
