import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { trace } from '@opentelemetry/api';
import type { Envelope } from '@txn/contracts';
import { InboxContext } from '@txn/nest-messaging';
import { AUDIT_CONTEXT, type AuditContext } from '../application/audit-context';
import { AUDITED_EVENT_TYPES, isAuditedEventType } from '../application/audited-events';
import { recordStateChange } from '../application/record-state-change/record-state-change';

/** Every event of the audited topics → one record at the end of its tenant's chain (thin adapter; the use case is record-state-change). */
@Controller()
export class AuditedEventsController {
  constructor(@Inject(AUDIT_CONTEXT) private readonly context: AuditContext) {}

  @EventPattern([...AUDITED_EVENT_TYPES])
  async record(@Payload() event: { readonly envelope: Envelope } & Readonly<Record<string, unknown>>, @Ctx() inbox: InboxContext): Promise<'applied' | 'stale'> {
    const { eventType } = inbox;
    if (!isAuditedEventType(eventType)) throw new Error(`${eventType} is not an audited event type`);
    const traceId = trace.getActiveSpan()?.spanContext().traceId ?? null;
    const message = { eventType, topic: inbox.topic, partition: inbox.partition, offset: inbox.offset, value: event, traceId };
    const outcome = await recordStateChange(inbox.tx, message, this.context);
    this.context.recorded.inc({ action: eventType, outcome: outcome === 'applied' ? 'recorded' : 'already_recorded' });
    return outcome;
  }
}
