import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { WebhookEndpointAutoDisabled } from '@txn/contracts';
import { InboxContext } from '@txn/nest-messaging';
import type { ProjectionOutcome } from '../read-models/event-facts';
import { SecurityEvents } from '../security/security-events';
import { applyEndpointAutoDisabled } from '../webhooks/endpoint-auto-disabled';

/** notification.events.v1 → the webhook endpoints it disabled (thin adapter); its other types are ignored. */
@Controller()
export class NotificationEventsController {
  constructor(@Inject(SecurityEvents) private readonly securityEvents: SecurityEvents) {}

  @EventPattern('WebhookEndpointAutoDisabled')
  autoDisabled(@Payload() event: WebhookEndpointAutoDisabled, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return applyEndpointAutoDisabled(inbox.tx, event, this.securityEvents);
  }
}
