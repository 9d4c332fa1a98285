import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { AuditRecorded } from '@txn/contracts';
import { InboxContext } from '@txn/nest-messaging';
import { insertAuditRecord } from '../read-models/audit-record-writer';
import type { ProjectionOutcome } from '../read-models/event-facts';
import { positionOf } from './booking-events.controller';

/** audit.records.v1 → the auditors' read model (thin adapter). */
@Controller()
export class AuditEventsController {
  @EventPattern('AuditRecorded')
  recorded(@Payload() event: AuditRecorded, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return insertAuditRecord(inbox.tx, event, positionOf(inbox));
  }
}
