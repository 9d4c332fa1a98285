import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { RefundPolicySet, ResourceRegistered } from '@txn/contracts';
import { InboxContext } from '@txn/nest-messaging';
import { projectResourceEvent } from '../application/project-resource-event/project-resource-event';
import type { ProjectionOutcome } from '../read-models/event-facts';
import { applyRefundPolicySet } from '../read-models/refund-policy-writer';

/** booking.events.v1's events about a merchant rather than a booking → the resources and refund-policy read models. */
@Controller()
export class ResourceEventsController {
  @EventPattern('ResourceRegistered')
  registered(@Payload() event: ResourceRegistered, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return projectResourceEvent(inbox.tx, event);
  }

  @EventPattern('RefundPolicySet')
  refundPolicySet(@Payload() event: RefundPolicySet, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return applyRefundPolicySet(inbox.tx, event);
  }
}
