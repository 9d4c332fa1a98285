import { Controller, Inject, UseInterceptors } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { PaymentAuthorized, PaymentCaptured, PaymentCaptureFailed, PaymentFailed } from '@txn/contracts';
import { InboxContext, SettleDecisions } from '@txn/nest-messaging';
import { BOOKING_CONTEXT, type BookingContext } from '../application/booking-context';
import type { BookingDecided } from '../application/booking-decided';
import { onPaymentAuthorized } from '../application/on-payment-authorized/on-payment-authorized';
import { onPaymentCaptured } from '../application/on-payment-captured/on-payment-captured';
import { onPaymentCaptureFailed } from '../application/on-payment-capture-failed/on-payment-capture-failed';
import { onPaymentFailed } from '../application/on-payment-failed/on-payment-failed';

/** payment.events.v1: the facts booking reacts to; the topic's other types are acknowledged as no-ops. */
@Controller()
@UseInterceptors(SettleDecisions)
export class PaymentEventsController {
  constructor(@Inject(BOOKING_CONTEXT) private readonly context: BookingContext) {}

  @EventPattern('PaymentAuthorized')
  authorized(@Payload() fact: PaymentAuthorized, @Ctx() inbox: InboxContext): Promise<BookingDecided> {
    return onPaymentAuthorized(inbox.tx, fact, this.deps());
  }

  @EventPattern('PaymentFailed')
  failed(@Payload() fact: PaymentFailed, @Ctx() inbox: InboxContext): Promise<BookingDecided> {
    return onPaymentFailed(inbox.tx, fact, this.deps());
  }

  @EventPattern('PaymentCaptured')
  captured(@Payload() fact: PaymentCaptured, @Ctx() inbox: InboxContext): Promise<BookingDecided> {
    return onPaymentCaptured(inbox.tx, fact, this.deps());
  }

  @EventPattern('PaymentCaptureFailed')
  captureFailed(@Payload() fact: PaymentCaptureFailed, @Ctx() inbox: InboxContext): Promise<BookingDecided> {
    return onPaymentCaptureFailed(inbox.tx, fact, this.deps());
  }

  private deps(): { bookings: BookingContext['bookings']; now: Date; serviceActor: BookingContext['serviceActor'] } {
    return { bookings: this.context.bookings, now: this.context.clock(), serviceActor: this.context.serviceActor };
  }
}
