import { Controller, Inject, UseInterceptors } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { RefundPayment } from '@txn/contracts';
import { InboxContext, SettleDecisions } from '@txn/nest-messaging';
import { PAYMENT_CONTEXT, type PaymentContext } from '../application/payment-context';
import type { PaymentDecided } from '../application/payment-decided';
import { refundPayment } from '../application/refund-payment/refund-payment';

/** payment.commands.v1: what the API asks of payment directly (a refund outside the booking's cancellation). */
@Controller()
@UseInterceptors(SettleDecisions)
export class PaymentCommandsController {
  constructor(@Inject(PAYMENT_CONTEXT) private readonly context: PaymentContext) {}

  @EventPattern('RefundPayment')
  refund(@Payload() command: RefundPayment, @Ctx() inbox: InboxContext): Promise<PaymentDecided> {
    return refundPayment(inbox.tx, command, { payments: this.context.payments, now: this.context.clock() });
  }
}
