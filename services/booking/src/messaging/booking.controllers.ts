import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { HoldPolicy } from '@txn/booking-domain';
import type { Actor, BookingDeadlineReached, CancelBooking, CompleteBooking, PaymentAuthorized, PaymentCaptured, PaymentCaptureFailed, PaymentFailed, RequestBooking } from '@txn/contracts';
import type { HandlerOutcome } from '@txn/messaging';
import { InboxContext } from '@txn/nest-messaging';
import { BookingDecisions, type Cause } from '../application/decisions';
import { onAuthorized, onCancelBooking, onCaptured, onCaptureFailed, onCompleteBooking, onFailed } from '../application/change-booking/change-booking';
import { onRequestBooking } from '../application/request-booking/request-booking';
import { onBookingDeadlineReached } from '../application/saga-deadlines/deadline-reached';
import { DeadlineMetrics } from '../application/saga-deadlines/deadline-metrics';

export const HOLD_POLICY = Symbol('booking-hold-policy');
export const SERVICE_ACTOR = Symbol('booking-service-actor');

function causeOf(inbox: InboxContext, message: { readonly envelope: { readonly actor: Actor } }): Cause {
  return { eventId: inbox.eventId, eventType: inbox.eventType, actor: message.envelope.actor };
}

/** booking.commands.v1: thin adapters from the inbox transport to the use cases. */
@Controller()
export class BookingCommandsController {
  constructor(
    @Inject(BookingDecisions) private readonly decisions: BookingDecisions,
    @Inject(HOLD_POLICY) private readonly holdPolicy: HoldPolicy,
    @Inject(SERVICE_ACTOR) private readonly serviceActor: Actor,
    @Inject(DeadlineMetrics) private readonly deadlineMetrics: DeadlineMetrics,
  ) {}

  @EventPattern('RequestBooking')
  request(@Payload() command: RequestBooking, @Ctx() inbox: InboxContext): Promise<HandlerOutcome> {
    return onRequestBooking(inbox.tx, command, causeOf(inbox, command), { decisions: this.decisions, holdPolicy: this.holdPolicy, now: new Date() });
  }

  @EventPattern('CancelBooking')
  cancel(@Payload() command: CancelBooking, @Ctx() inbox: InboxContext): Promise<HandlerOutcome> {
    return onCancelBooking(inbox.tx, command, causeOf(inbox, command), this.deps());
  }

  @EventPattern('CompleteBooking')
  complete(@Payload() command: CompleteBooking, @Ctx() inbox: InboxContext): Promise<HandlerOutcome> {
    return onCompleteBooking(inbox.tx, command, causeOf(inbox, command), this.deps());
  }

  /** The deadline watcher's timeout, sent to ourselves so that it is decided like every other command. */
  @EventPattern('BookingDeadlineReached')
  deadlineReached(@Payload() command: BookingDeadlineReached, @Ctx() inbox: InboxContext): Promise<HandlerOutcome> {
    return onBookingDeadlineReached(inbox.tx, command, causeOf(inbox, command), { decisions: this.decisions, metrics: this.deadlineMetrics, now: new Date() });
  }

  private deps(): { decisions: BookingDecisions; now: Date; serviceActor: Actor } {
    return { decisions: this.decisions, now: new Date(), serviceActor: this.serviceActor };
  }
}

/** payment.events.v1: the facts booking reacts to; the topic's other types are acknowledged as no-ops. */
@Controller()
export class PaymentEventsController {
  constructor(
    @Inject(BookingDecisions) private readonly decisions: BookingDecisions,
    @Inject(SERVICE_ACTOR) private readonly serviceActor: Actor,
  ) {}

  @EventPattern('PaymentAuthorized')
  authorized(@Payload() fact: PaymentAuthorized, @Ctx() inbox: InboxContext): Promise<HandlerOutcome> {
    return onAuthorized(inbox.tx, fact, causeOf(inbox, fact), this.deps());
  }

  @EventPattern('PaymentFailed')
  failed(@Payload() fact: PaymentFailed, @Ctx() inbox: InboxContext): Promise<HandlerOutcome> {
    return onFailed(inbox.tx, fact, causeOf(inbox, fact), this.deps());
  }

  @EventPattern('PaymentCaptured')
  captured(@Payload() fact: PaymentCaptured, @Ctx() inbox: InboxContext): Promise<HandlerOutcome> {
    return onCaptured(inbox.tx, fact, causeOf(inbox, fact), this.deps());
  }

  @EventPattern('PaymentCaptureFailed')
  captureFailed(@Payload() fact: PaymentCaptureFailed, @Ctx() inbox: InboxContext): Promise<HandlerOutcome> {
    return onCaptureFailed(inbox.tx, fact, causeOf(inbox, fact), this.deps());
  }

  private deps(): { decisions: BookingDecisions; now: Date; serviceActor: Actor } {
    return { decisions: this.decisions, now: new Date(), serviceActor: this.serviceActor };
  }
}
