import { Controller, Inject, UseInterceptors } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { BookingCancelled, BookingConfirmed, BookingExpired, BookingHeld } from '@txn/contracts';
import { InboxContext, SettleDecisions } from '@txn/nest-messaging';
import { capturePayment } from '../application/capture-payment/capture-payment';
import { createPayment } from '../application/create-payment/create-payment';
import { PAYMENT_CONTEXT, type PaymentContext } from '../application/payment-context';
import type { PaymentDecided } from '../application/payment-decided';
import { releasePayment } from '../application/release-payment/release-payment';

/** booking.events.v1: thin adapters from the inbox transport to the use cases; other booking events are acknowledged as no-ops. */
@Controller()
@UseInterceptors(SettleDecisions)
export class BookingEventsController {
  constructor(@Inject(PAYMENT_CONTEXT) private readonly context: PaymentContext) {}

  @EventPattern('BookingHeld')
  held(@Payload() fact: BookingHeld, @Ctx() inbox: InboxContext): Promise<PaymentDecided> {
    const { payments, actor, clock } = this.context;
    return createPayment(inbox.tx, fact, { payments, actor, now: clock(), paymentMethodOf: (customerId) => this.context.paymentMethodOf(customerId), feeTermsOf: (tenantId) => this.context.feeTermsOf(tenantId) });
  }

  @EventPattern('BookingConfirmed')
  confirmed(@Payload() fact: BookingConfirmed, @Ctx() inbox: InboxContext): Promise<PaymentDecided> {
    return capturePayment(inbox.tx, fact, this.deps());
  }

  @EventPattern('BookingExpired')
  expired(@Payload() fact: BookingExpired, @Ctx() inbox: InboxContext): Promise<PaymentDecided> {
    return releasePayment(inbox.tx, fact, this.deps());
  }

  @EventPattern('BookingCancelled')
  cancelled(@Payload() fact: BookingCancelled, @Ctx() inbox: InboxContext): Promise<PaymentDecided> {
    return releasePayment(inbox.tx, fact, this.deps());
  }

  private deps(): { payments: PaymentContext['payments']; now: Date; actor: PaymentContext['actor'] } {
    return { payments: this.context.payments, now: this.context.clock(), actor: this.context.actor };
  }
}
