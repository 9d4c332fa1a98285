import { Controller, Inject, UseInterceptors } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { PaymentAuthorized, PaymentCaptured, PaymentDisputed, PaymentRefunded, PaymentVoided } from '@txn/contracts';
import { InboxContext, SettleDecisions } from '@txn/nest-messaging';
import { LEDGER_CONTEXT, type LedgerContext, type LedgerDeps } from '../application/ledger-context';
import type { LedgerDecided } from '../application/ledger-decided';
import { onPaymentAuthorized } from '../application/on-payment-authorized/on-payment-authorized';
import { onPaymentCaptured } from '../application/on-payment-captured/on-payment-captured';
import { onPaymentDisputed } from '../application/on-payment-disputed/on-payment-disputed';
import { onPaymentRefunded } from '../application/on-payment-refunded/on-payment-refunded';
import { onPaymentVoided } from '../application/on-payment-voided/on-payment-voided';

/**
 * payment.events.v1: the facts that move money. Thin adapters from the inbox transport to the use
 * cases; SettleDecisions settles what they decide. The topic's other types (PaymentFailed, …) are
 * acknowledged as no-ops by the transport.
 */
@Controller()
@UseInterceptors(SettleDecisions)
export class PaymentEventsController {
  constructor(@Inject(LEDGER_CONTEXT) private readonly context: LedgerContext) {}

  @EventPattern('PaymentAuthorized')
  authorized(@Payload() event: PaymentAuthorized, @Ctx() inbox: InboxContext): Promise<LedgerDecided> {
    return onPaymentAuthorized(inbox.tx, event, this.deps());
  }

  @EventPattern('PaymentCaptured')
  captured(@Payload() event: PaymentCaptured, @Ctx() inbox: InboxContext): Promise<LedgerDecided> {
    return onPaymentCaptured(inbox.tx, event, this.deps());
  }

  @EventPattern('PaymentVoided')
  voided(@Payload() event: PaymentVoided, @Ctx() inbox: InboxContext): Promise<LedgerDecided> {
    return onPaymentVoided(inbox.tx, event, this.deps());
  }

  @EventPattern('PaymentRefunded')
  refunded(@Payload() event: PaymentRefunded, @Ctx() inbox: InboxContext): Promise<LedgerDecided> {
    return onPaymentRefunded(inbox.tx, event, this.deps());
  }

  @EventPattern('PaymentDisputed')
  disputed(@Payload() event: PaymentDisputed, @Ctx() inbox: InboxContext): Promise<LedgerDecided> {
    return onPaymentDisputed(inbox.tx, event, this.deps());
  }

  private deps(): LedgerDeps {
    return { book: this.context.book, actor: this.context.actor, now: this.context.clock() };
  }
}
