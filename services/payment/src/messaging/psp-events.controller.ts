import { Controller, Inject, UseInterceptors } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { PspEventReceived } from '@txn/contracts';
import { InboxContext, SettleDecisions } from '@txn/nest-messaging';
import { onPspEvent } from '../application/apply-psp-events/on-psp-event';
import { PAYMENT_CONTEXT, type PaymentContext } from '../application/payment-context';
import type { PaymentDecided } from '../application/payment-decided';

/** psp.events.v1: the verified PSP events the webhook ingress publishes. */
@Controller()
@UseInterceptors(SettleDecisions)
export class PspEventsController {
  constructor(@Inject(PAYMENT_CONTEXT) private readonly context: PaymentContext) {}

  @EventPattern('PspEventReceived')
  received(@Payload() fact: PspEventReceived, @Ctx() inbox: InboxContext): Promise<PaymentDecided> {
    const { payments, unmatched, breaks, actor, clock } = this.context;
    return onPspEvent(inbox.tx, fact, { payments, unmatched, breaks, actor, now: clock(), pspActor: fact.envelope.actor });
  }
}
