import { Controller, Inject, UseInterceptors } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { BookingDeadlineReached, CancelBooking, CompleteBooking, RequestBooking } from '@txn/contracts';
import { InboxContext, SettleDecisions } from '@txn/nest-messaging';
import { BOOKING_CONTEXT, type BookingContext } from '../application/booking-context';
import type { BookingDecided } from '../application/booking-decided';
import { cancelBooking } from '../application/cancel-booking/cancel-booking';
import { completeBooking } from '../application/complete-booking/complete-booking';
import { reachDeadline } from '../application/reach-deadline/reach-deadline';
import { requestBooking } from '../application/request-booking/request-booking';

/** booking.commands.v1: thin adapters from the inbox transport to the use cases; SettleDecisions settles what they decide. */
@Controller()
@UseInterceptors(SettleDecisions)
export class BookingCommandsController {
  constructor(@Inject(BOOKING_CONTEXT) private readonly context: BookingContext) {}

  @EventPattern('RequestBooking')
  request(@Payload() command: RequestBooking, @Ctx() inbox: InboxContext): Promise<BookingDecided> {
    const { bookings, holdPolicy, deadlinePolicy, clock } = this.context;
    return requestBooking(inbox.tx, command, { bookings, holdPolicy, deadlinePolicy, now: clock() });
  }

  @EventPattern('CancelBooking')
  cancel(@Payload() command: CancelBooking, @Ctx() inbox: InboxContext): Promise<BookingDecided> {
    return cancelBooking(inbox.tx, command, { bookings: this.context.bookings, now: this.context.clock() });
  }

  @EventPattern('CompleteBooking')
  complete(@Payload() command: CompleteBooking, @Ctx() inbox: InboxContext): Promise<BookingDecided> {
    return completeBooking(inbox.tx, command, { bookings: this.context.bookings, now: this.context.clock() });
  }

  /** The deadline watcher's timeout, sent to ourselves so that it is decided like every other command. */
  @EventPattern('BookingDeadlineReached')
  deadlineReached(@Payload() command: BookingDeadlineReached, @Ctx() inbox: InboxContext): Promise<BookingDecided> {
    return reachDeadline(inbox.tx, command, { bookings: this.context.bookings, metrics: this.context.deadlineMetrics, now: this.context.clock() });
  }
}
