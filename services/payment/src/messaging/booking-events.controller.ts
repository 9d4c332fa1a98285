import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { Actor, BookingCancelled, BookingConfirmed, BookingExpired, BookingHeld } from '@txn/contracts';
import type { HandlerOutcome } from '@txn/messaging';
import { InboxContext } from '@txn/nest-messaging';
import { PaymentDecisions, type Cause } from '../application/decisions';
import { onBookingHeld, onConfirmed, onReleased, type BookingFactDeps } from '../application/booking-facts/on-booking-event';

export const SERVICE_ACTOR = Symbol('payment-service-actor');
export const PAYMENT_METHOD_OF = Symbol('payment-method-of');

function causeOf(inbox: InboxContext, message: { readonly envelope: { readonly actor: Actor } }): Cause {
  return { eventId: inbox.eventId, eventType: inbox.eventType, actor: message.envelope.actor };
}

/** booking.events.v1: thin adapters from the inbox transport to the use cases; other booking events are acknowledged as no-ops. */
@Controller()
export class BookingEventsController {
  constructor(
    @Inject(PaymentDecisions) private readonly decisions: PaymentDecisions,
    @Inject(SERVICE_ACTOR) private readonly actor: Actor,
    @Inject(PAYMENT_METHOD_OF) private readonly paymentMethodOf: (customerId: string) => string,
  ) {}

  @EventPattern('BookingHeld')
  held(@Payload() fact: BookingHeld, @Ctx() inbox: InboxContext): Promise<HandlerOutcome> {
    return onBookingHeld(inbox.tx, fact, causeOf(inbox, fact), this.deps());
  }

  @EventPattern('BookingConfirmed')
  confirmed(@Payload() fact: BookingConfirmed, @Ctx() inbox: InboxContext): Promise<HandlerOutcome> {
    return onConfirmed(inbox.tx, fact, causeOf(inbox, fact), this.deps());
  }

  @EventPattern('BookingExpired')
  expired(@Payload() fact: BookingExpired, @Ctx() inbox: InboxContext): Promise<HandlerOutcome> {
    return onReleased(inbox.tx, fact, causeOf(inbox, fact), this.deps());
  }

  @EventPattern('BookingCancelled')
  cancelled(@Payload() fact: BookingCancelled, @Ctx() inbox: InboxContext): Promise<HandlerOutcome> {
    return onReleased(inbox.tx, fact, causeOf(inbox, fact), this.deps());
  }

  private deps(): BookingFactDeps {
    return { decisions: this.decisions, now: new Date(), actor: this.actor, paymentMethodOf: this.paymentMethodOf };
  }
}
