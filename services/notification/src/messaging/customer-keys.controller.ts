import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { CustomerDataKeyIssued, CustomerErased } from '@txn/contracts';
import { InboxContext } from '@txn/nest-messaging';
import { destroyKeyCopy, keepKeyCopy } from '../application/keep-key-copies/keep-key-copies';
import { NOTIFICATION_CONTEXT, type NotificationContext } from '../application/notification-context';

/** customer.keys.v1 → this service's copies of customers' data keys (thin adapters). */
@Controller()
export class CustomerKeysController {
  constructor(@Inject(NOTIFICATION_CONTEXT) private readonly context: NotificationContext) {}

  @EventPattern('CustomerDataKeyIssued')
  issued(@Payload() event: CustomerDataKeyIssued, @Ctx() inbox: InboxContext): Promise<'applied' | 'stale'> {
    return keepKeyCopy(inbox.tx, event, this.context);
  }

  @EventPattern('CustomerErased')
  erased(@Payload() event: CustomerErased, @Ctx() inbox: InboxContext): Promise<'applied' | 'stale'> {
    return destroyKeyCopy(inbox.tx, event, this.context);
  }
}
