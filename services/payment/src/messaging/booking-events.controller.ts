import { Controller, Inject, UseInterceptors } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { BookingCancelled, BookingCompleted, BookingConfirmed, BookingExpired, BookingHeld, BookingRejected } from '@txn/contracts';
import { InboxContext, SettleDecisions } from '@txn/nest-messaging';
import { capturePayment } from '../application/capture-payment/capture-payment';
import { createPayment } from '../application/create-payment/create-payment';
import { PAYMENT_CONTEXT, type PaymentContext } from '../application/payment-context';
import type { PaymentDecided } from '../application/payment-decided';
import { projectBooking } from '../application/project-for-reconciliation/project-for-reconciliation';
import { releasePayment } from '../application/release-payment/release-payment';

/**
 * booking.events.v1: thin adapters from the inbox transport to the use cases. Each booking's status
 * is also kept for reconciliation's saga leg, in the same transaction.
 */
@Controller()
@UseInterceptors(SettleDecisions)
export class BookingEventsController {
  constructor(@Inject(PAYMENT_CONTEXT) private readonly context: PaymentContext) {}

  @EventPattern('BookingHeld')
  async held(@Payload() fact: BookingHeld, @Ctx() inbox: InboxContext): Promise<PaymentDecided> {
    await projectBooking(inbox.tx, fact, this.context.projections);
    const { payments, actor, clock } = this.context;
    return createPayment(inbox.tx, fact, { payments, actor, now: clock(), paymentMethodOf: (customerId) => this.context.paymentMethodOf(customerId), feeTermsOf: (tenantId) => this.context.feeTermsOf(tenantId) });
  }

  @EventPattern('BookingConfirmed')
  async confirmed(@Payload() fact: BookingConfirmed, @Ctx() inbox: InboxContext): Promise<PaymentDecided> {
    await projectBooking(inbox.tx, fact, this.context.projections);
    return capturePayment(inbox.tx, fact, this.deps());
  }

  @EventPattern('BookingExpired')
  async expired(@Payload() fact: BookingExpired, @Ctx() inbox: InboxContext): Promise<PaymentDecided> {
    await projectBooking(inbox.tx, fact, this.context.projections);
    return releasePayment(inbox.tx, fact, this.deps());
  }

  @EventPattern('BookingCancelled')
  async cancelled(@Payload() fact: BookingCancelled, @Ctx() inbox: InboxContext): Promise<PaymentDecided> {
    await projectBooking(inbox.tx, fact, this.context.projections);
    return releasePayment(inbox.tx, fact, this.deps());
  }

  private deps(): { payments: PaymentContext['payments']; now: Date; actor: PaymentContext['actor'] } {
    return { payments: this.context.payments, now: this.context.clock(), actor: this.context.actor };
  }
}

/** The booking events payment does not act on: kept only as the booking's status, for reconciliation. */
@Controller()
export class BookingStatusController {
  constructor(@Inject(PAYMENT_CONTEXT) private readonly context: PaymentContext) {}

  @EventPattern('BookingCompleted')
  async completed(@Payload() fact: BookingCompleted, @Ctx() inbox: InboxContext): Promise<'applied'> {
    await projectBooking(inbox.tx, fact, this.context.projections);
    return 'applied';
  }

  @EventPattern('BookingRejected')
  async rejected(@Payload() fact: BookingRejected, @Ctx() inbox: InboxContext): Promise<'applied'> {
    await projectBooking(inbox.tx, fact, this.context.projections);
    return 'applied';
  }
}
