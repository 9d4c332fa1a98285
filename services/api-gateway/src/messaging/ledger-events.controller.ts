import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EntryPosted } from '@txn/contracts';
import { InboxContext } from '@txn/nest-messaging';
import { projectLedgerEntry } from '../application/project-ledger-entry/project-ledger-entry';
import type { ProjectionOutcome } from '../read-models/event-facts';
import { positionOf } from './booking-events.controller';

/** ledger.events.v1 → the journal read model: EntryPosted only (every balance change is an entry); the topic's other types are ignored. */
@Controller()
export class LedgerEventsController {
  @EventPattern('EntryPosted')
  entryPosted(@Payload() entry: EntryPosted, @Ctx() inbox: InboxContext): Promise<ProjectionOutcome> {
    return projectLedgerEntry(inbox.tx, entry, positionOf(inbox));
  }
}
