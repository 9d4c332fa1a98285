import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { SetRefundPolicy } from '@txn/contracts';
import type { HandlerOutcome } from '@txn/messaging';
import { InboxContext } from '@txn/nest-messaging';
import { RESOURCE_CONTEXT, type ResourceContext } from '../application/register-resource/resource-context';
import { setRefundPolicy } from '../application/set-refund-policy/set-refund-policy';

/** SetRefundPolicy on booking.commands.v1: a tenant's terms, not a booking (no saga, no settle path); logged and counted here. */
@Controller()
export class RefundPolicyCommandsController {
  constructor(@Inject(RESOURCE_CONTEXT) private readonly context: ResourceContext) {}

  @EventPattern('SetRefundPolicy')
  async set(@Payload() command: SetRefundPolicy, @Ctx() inbox: InboxContext): Promise<HandlerOutcome> {
    const { outcome, detail } = await setRefundPolicy(inbox.tx, command, { events: this.context.policyEvents, producer: this.context.producer, now: new Date() });
    this.context.decisions.inc({ message_type: 'SetRefundPolicy', outcome, reason: outcome === 'rejected' ? detail.slice(0, detail.indexOf(':')) : 'applied' });
    this.context.logger.info({ eventId: command.envelope.eventId, tenantId: command.envelope.tenantId, outcome, detail }, 'refund policy command decided');
    return outcome;
  }
}
