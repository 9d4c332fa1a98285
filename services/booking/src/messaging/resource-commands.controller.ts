import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { RegisterResource } from '@txn/contracts';
import type { HandlerOutcome } from '@txn/messaging';
import { InboxContext } from '@txn/nest-messaging';
import { RESOURCE_CONTEXT, type ResourceContext } from '../application/register-resource/resource-context';
import { registerResource } from '../application/register-resource/register-resource';

/**
 * RegisterResource on booking.commands.v1. A resource is not a booking: it has no saga, no status
 * and no deadline, so it does not go through the bookings' settle path; the use case publishes its
 * event itself, in the inbox transaction, and the outcome is logged and counted here.
 */
@Controller()
export class ResourceCommandsController {
  constructor(@Inject(RESOURCE_CONTEXT) private readonly context: ResourceContext) {}

  @EventPattern('RegisterResource')
  async register(@Payload() command: RegisterResource, @Ctx() inbox: InboxContext): Promise<HandlerOutcome> {
    const { outcome, decision } = await registerResource(inbox.tx, command, { ...this.context, now: new Date() });
    this.context.decisions.inc({ message_type: 'RegisterResource', outcome, reason: decision.kind === 'refused' ? decision.code : decision.kind });
    this.context.logger.info({ eventId: command.envelope.eventId, tenantId: command.envelope.tenantId, resourceId: command.resourceId, outcome, decision: decision.kind }, 'resource command decided');
    return outcome;
  }
}
