import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { Envelope, WebhookEndpointChanged } from '@txn/contracts';
import { InboxContext } from '@txn/nest-messaging';
import { applyEndpointChange } from '../application/apply-endpoint-change/apply-endpoint-change';
import { DELIVERABLE_EVENT_TYPES, isDeliverableEventType } from '../application/deliverable-events';
import { enqueueCustomerEmail } from '../application/enqueue-customer-email/enqueue-customer-email';
import { enqueueDeliveries } from '../application/enqueue-deliveries/enqueue-deliveries';
import { NOTIFICATION_CONTEXT, type NotificationContext } from '../application/notification-context';

/** booking.events.v1 and payment.events.v1 → webhook deliveries and customers' emails; security.events.v1's endpoint changes → the endpoints' copy (thin adapters). */
@Controller()
export class MerchantEventsController {
  constructor(@Inject(NOTIFICATION_CONTEXT) private readonly context: NotificationContext) {}

  @EventPattern([...DELIVERABLE_EVENT_TYPES])
  async deliver(@Payload() event: { readonly envelope: Envelope } & Readonly<Record<string, unknown>>, @Ctx() inbox: InboxContext): Promise<'applied' | 'stale'> {
    const { eventType } = inbox;
    if (!isDeliverableEventType(eventType)) throw new Error(`${eventType} is not delivered to merchants`);
    const webhooks = await enqueueDeliveries(inbox.tx, eventType, event, this.context);
    const email = await enqueueCustomerEmail(inbox.tx, eventType, event, this.context);
    return webhooks === 'applied' || email === 'applied' ? 'applied' : 'stale';
  }

  @EventPattern('WebhookEndpointChanged')
  endpointChanged(@Payload() event: WebhookEndpointChanged, @Ctx() inbox: InboxContext): Promise<'applied' | 'stale'> {
    return applyEndpointChange(inbox.tx, event, this.context);
  }
}
