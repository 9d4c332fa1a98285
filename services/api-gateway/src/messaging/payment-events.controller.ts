import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type {
  PaymentAuthorized,
  PaymentCaptured,
  PaymentCaptureFailed,
  PaymentDisputed,
  PaymentFailed,
  PaymentOutcomeUnknown,
  PaymentRefunded,
  PaymentRefundFailed,
  PaymentRefundRejected,
  PaymentRequiresAction,
  PaymentVoided,
  ReconciliationBreakRaised,
  ReconciliationBreakResolved,
} from '@txn/contracts';
import { InboxContext } from '@txn/nest-messaging';
import { PAYMENT_PATCHES } from '../application/project-payment-event/payment-patches';
import { projectPaymentEvent } from '../application/project-payment-event/project-payment-event';
import { projectBreakRaised, projectBreakResolved } from '../application/project-recon-break/project-recon-break';
import type { ProjectionOutcome } from '../read-models/event-facts';
import { refundFailed, refundRejected, refundSucceeded, settleRefund } from '../read-models/refund-writer';
import { positionOf } from './booking-events.controller';

/** Applied when either read model took the event. */
function either(first: ProjectionOutcome, second: ProjectionOutcome): ProjectionOutcome {
  return first === 'applied' || second === 'applied' ? 'applied' : 'stale';
}

/** payment.events.v1 → the payments read model, and reconciliation's breaks for finance (every type the topic carries). */
@Controller()
export class PaymentEventsController {
  @EventPattern('PaymentAuthorized')
  authorized(@Payload() event: PaymentAuthorized, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return projectPaymentEvent(inbox.tx, event, PAYMENT_PATCHES.PaymentAuthorized, positionOf(inbox));
  }

  @EventPattern('PaymentRequiresAction')
  requiresAction(@Payload() event: PaymentRequiresAction, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return projectPaymentEvent(inbox.tx, event, PAYMENT_PATCHES.PaymentRequiresAction, positionOf(inbox));
  }

  @EventPattern('PaymentFailed')
  failed(@Payload() event: PaymentFailed, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return projectPaymentEvent(inbox.tx, event, PAYMENT_PATCHES.PaymentFailed, positionOf(inbox));
  }

  @EventPattern('PaymentOutcomeUnknown')
  outcomeUnknown(@Payload() event: PaymentOutcomeUnknown, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return projectPaymentEvent(inbox.tx, event, PAYMENT_PATCHES.PaymentOutcomeUnknown, positionOf(inbox));
  }

  @EventPattern('PaymentCaptured')
  captured(@Payload() event: PaymentCaptured, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return projectPaymentEvent(inbox.tx, event, PAYMENT_PATCHES.PaymentCaptured, positionOf(inbox));
  }

  @EventPattern('PaymentCaptureFailed')
  captureFailed(@Payload() event: PaymentCaptureFailed, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return projectPaymentEvent(inbox.tx, event, PAYMENT_PATCHES.PaymentCaptureFailed, positionOf(inbox));
  }

  @EventPattern('PaymentVoided')
  voided(@Payload() event: PaymentVoided, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return projectPaymentEvent(inbox.tx, event, PAYMENT_PATCHES.PaymentVoided, positionOf(inbox));
  }

  @EventPattern('PaymentRefunded')
  async refunded(@Payload() event: PaymentRefunded, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    const payment = await projectPaymentEvent(inbox.tx, event, PAYMENT_PATCHES.PaymentRefunded, positionOf(inbox));
    return either(payment, await settleRefund(inbox.tx, event, refundSucceeded(event), positionOf(inbox)));
  }

  @EventPattern('PaymentDisputed')
  disputed(@Payload() event: PaymentDisputed, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return projectPaymentEvent(inbox.tx, event, PAYMENT_PATCHES.PaymentDisputed, positionOf(inbox));
  }

  @EventPattern('PaymentRefundFailed')
  async refundFailed(@Payload() event: PaymentRefundFailed, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    const payment = await projectPaymentEvent(inbox.tx, event, PAYMENT_PATCHES.PaymentRefundFailed, positionOf(inbox));
    return either(payment, await settleRefund(inbox.tx, event, refundFailed(event), positionOf(inbox)));
  }

  /** A refusal changes no payment (its version is the payment's unchanged one): only the refund's row. */
  @EventPattern('PaymentRefundRejected')
  refundRejected(@Payload() event: PaymentRefundRejected, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return settleRefund(inbox.tx, event, refundRejected(event), positionOf(inbox));
  }

  @EventPattern('ReconciliationBreakRaised')
  breakRaised(@Payload() event: ReconciliationBreakRaised, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return projectBreakRaised(inbox.tx, event, positionOf(inbox));
  }

  @EventPattern('ReconciliationBreakResolved')
  breakResolved(@Payload() event: ReconciliationBreakResolved, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return projectBreakResolved(inbox.tx, event, positionOf(inbox));
  }
}
