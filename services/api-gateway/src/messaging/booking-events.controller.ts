import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { BookingCancelled, BookingCompleted, BookingConfirmed, BookingExpired, BookingHeld, BookingRejected } from '@txn/contracts';
import { InboxContext } from '@txn/nest-messaging';
import { BOOKING_PATCHES } from '../application/project-booking-event/booking-patches';
import { projectBookingEvent } from '../application/project-booking-event/project-booking-event';
import type { ProjectionOutcome, RecordPosition } from '../read-models/event-facts';

export function positionOf(inbox: InboxContext): RecordPosition {
  return { topic: inbox.topic, partition: inbox.partition, offset: inbox.offset };
}

/** booking.events.v1 → the bookings read model (thin adapters; the use case is project-booking-event). */
@Controller()
export class BookingEventsController {
  @EventPattern('BookingHeld')
  held(@Payload() event: BookingHeld, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return projectBookingEvent(inbox.tx, event, BOOKING_PATCHES.BookingHeld, positionOf(inbox));
  }

  @EventPattern('BookingRejected')
  rejected(@Payload() event: BookingRejected, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return projectBookingEvent(inbox.tx, event, BOOKING_PATCHES.BookingRejected, positionOf(inbox));
  }

  @EventPattern('BookingConfirmed')
  confirmed(@Payload() event: BookingConfirmed, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return projectBookingEvent(inbox.tx, event, BOOKING_PATCHES.BookingConfirmed, positionOf(inbox));
  }

  @EventPattern('BookingCancelled')
  cancelled(@Payload() event: BookingCancelled, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return projectBookingEvent(inbox.tx, event, BOOKING_PATCHES.BookingCancelled, positionOf(inbox));
  }

  @EventPattern('BookingExpired')
  expired(@Payload() event: BookingExpired, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return projectBookingEvent(inbox.tx, event, BOOKING_PATCHES.BookingExpired, positionOf(inbox));
  }

  @EventPattern('BookingCompleted')
  completed(@Payload() event: BookingCompleted, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return projectBookingEvent(inbox.tx, event, BOOKING_PATCHES.BookingCompleted, positionOf(inbox));
  }
}
