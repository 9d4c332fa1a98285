import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { ResourceRegistered } from '@txn/contracts';
import { InboxContext } from '@txn/nest-messaging';
import { projectResourceEvent } from '../application/project-resource-event/project-resource-event';
import type { ProjectionOutcome } from '../read-models/event-facts';

/** booking.events.v1 → the resources read model. */
@Controller()
export class ResourceEventsController {
  @EventPattern('ResourceRegistered')
  registered(@Payload() event: ResourceRegistered, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return projectResourceEvent(inbox.tx, event);
  }
}
