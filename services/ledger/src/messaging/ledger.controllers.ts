import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { BookingCompleted, PaymentAuthorized, PaymentCaptured, PaymentRefunded, PaymentVoided } from '@txn/contracts';
import type { HandlerOutcome } from '@txn/messaging';
import { InboxContext } from '@txn/nest-messaging';
import { onBookingCompleted } from '../application/on-booking-completed/on-booking-completed';
import { onPaymentAuthorized } from '../application/on-payment-authorized/on-payment-authorized';
import { onPaymentCaptured, type CaptureDependencies } from '../application/on-payment-captured/on-payment-captured';
import { onPaymentRefunded } from '../application/on-payment-refunded/on-payment-refunded';
import { onPaymentVoided } from '../application/on-payment-voided/on-payment-voided';
import { LedgerOutcomes } from '../application/outcomes';

export const FEE_RATES = Symbol('ledger-fee-rates');

/**
 * payment.events.v1: the facts that move money. Thin adapters: the handler decides and writes in
 * the inbox transaction, LedgerOutcomes appends its events there too. The topic's other types
 * (PaymentFailed, …) are acknowledged as no-ops by the transport.
 */
@Controller()
export class PaymentEventsController {
  constructor(
    @Inject(LedgerOutcomes) private readonly outcomes: LedgerOutcomes,
    @Inject(FEE_RATES) private readonly feeRates: CaptureDependencies,
  ) {}

  @EventPattern('PaymentAuthorized')
  async authorized(@Payload() event: PaymentAuthorized, @Ctx() inbox: InboxContext): Promise<HandlerOutcome> {
    return this.outcomes.settle(inbox.tx, event.envelope, await onPaymentAuthorized(inbox.tx, event));
  }

  @EventPattern('PaymentCaptured')
  async captured(@Payload() event: PaymentCaptured, @Ctx() inbox: InboxContext): Promise<HandlerOutcome> {
    return this.outcomes.settle(inbox.tx, event.envelope, await onPaymentCaptured(inbox.tx, event, this.feeRates));
  }

  @EventPattern('PaymentVoided')
  async voided(@Payload() event: PaymentVoided, @Ctx() inbox: InboxContext): Promise<HandlerOutcome> {
    return this.outcomes.settle(inbox.tx, event.envelope, await onPaymentVoided(inbox.tx, event));
  }

  @EventPattern('PaymentRefunded')
  async refunded(@Payload() event: PaymentRefunded, @Ctx() inbox: InboxContext): Promise<HandlerOutcome> {
    return this.outcomes.settle(inbox.tx, event.envelope, await onPaymentRefunded(inbox.tx, event));
  }
}

/** booking.events.v1: only a completed booking moves money (escrow to the merchant); the rest are no-ops. */
@Controller()
export class BookingEventsController {
  constructor(@Inject(LedgerOutcomes) private readonly outcomes: LedgerOutcomes) {}

  @EventPattern('BookingCompleted')
  async completed(@Payload() event: BookingCompleted, @Ctx() inbox: InboxContext): Promise<HandlerOutcome> {
    return this.outcomes.settle(inbox.tx, event.envelope, await onBookingCompleted(inbox.tx, event));
  }
}
