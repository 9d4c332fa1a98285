import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EntryPosted, HoldPlaced, LedgerBreakRaised } from '@txn/contracts';
import { InboxContext } from '@txn/nest-messaging';
import { PAYMENT_CONTEXT, type PaymentContext } from '../application/payment-context';
import { projectEntryPosted, projectHoldPlaced, projectLedgerBreak } from '../application/project-for-reconciliation/project-for-reconciliation';

/** ledger.events.v1 → reconciliation's view of the books (payment never reads the ledger's tables); the topic's other types are ignored. */
@Controller()
export class LedgerEventsController {
  constructor(@Inject(PAYMENT_CONTEXT) private readonly context: PaymentContext) {}

  @EventPattern('EntryPosted')
  entryPosted(@Payload() entry: EntryPosted, @Ctx() inbox: InboxContext): Promise<'applied'> {
    return projectEntryPosted(inbox.tx, entry, this.context.projections);
  }

  @EventPattern('HoldPlaced')
  holdPlaced(@Payload() hold: HoldPlaced, @Ctx() inbox: InboxContext): Promise<'applied'> {
    return projectHoldPlaced(inbox.tx, hold, this.context.projections);
  }

  @EventPattern('LedgerBreakRaised')
  breakRaised(@Payload() raised: LedgerBreakRaised, @Ctx() inbox: InboxContext): Promise<'applied'> {
    return projectLedgerBreak(inbox.tx, raised, this.context.projections);
  }
}
