import type { Actor, Envelope } from '@txn/contracts';
import type { HandlerOutcome } from '@txn/messaging';
import type { EventPublisher } from '@txn/nest-messaging';
import type { SqlTransaction } from '@txn/sql';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { toPendingEvent, type EnvelopeFacts } from '../messaging/events';
import type { LedgerHandling, LedgerOutcome } from './ledger-events';

/**
 * The inbox's outcome for a handler's. `duplicate` means the fact was already applied under
 * another event id (a producer's re-send, a replay into a new group): nothing changed, which the
 * inbox records as `stale`. (A redelivery of the same event id never gets here: the inbox itself
 * answers it `duplicate`.)
 */
export const INBOX_OUTCOME: Readonly<Record<LedgerOutcome, HandlerOutcome>> = { applied: 'applied', duplicate: 'stale', stale: 'stale', rejected: 'rejected' };

/**
 * Carries out what a ledger handler returned, in the caller's transaction: its events are
 * enveloped (cause, correlation, tenant) and appended to the outbox; the outcome is counted
 * (`ledger_handled_total`) and, when nothing was applied, logged with the reason. One place, so
 * every handler and the sweeper record outcomes the same way.
 */
export class LedgerOutcomes {
  private readonly handled: Counter<'message_type' | 'outcome' | 'reason'>;

  constructor(
    private readonly events: EventPublisher,
    private readonly logger: Logger,
    metrics: Registry,
    /** `producer` of every envelope and id of the SERVICE actor: the service name. */
    private readonly producer: string,
  ) {
    this.handled = new Counter({
      name: 'ledger_handled_total',
      help: 'Events the ledger handled, by message type and outcome (applied, duplicate, stale, rejected) and, when rejected, the rejection code.',
      labelNames: ['message_type', 'outcome', 'reason'],
      registers: [metrics],
    });
  }

  get serviceActor(): Actor {
    return { type: 'SERVICE', id: this.producer };
  }

  /** A consumed event's handling: causation = its id; correlation and tenant are its own. */
  async settle(tx: SqlTransaction, consumed: Envelope, handling: LedgerHandling): Promise<HandlerOutcome> {
    await this.append(tx, handling, {
      producer: this.producer,
      actor: this.serviceActor,
      correlationId: consumed.correlationId,
      tenantId: consumed.tenantId,
      causationId: consumed.eventId,
      occurredAt: new Date(),
    });
    const reason = rejectionCodeOf(handling);
    this.handled.inc({ message_type: consumed.eventType, outcome: handling.outcome, reason });
    if (handling.outcome !== 'applied') {
      this.logger.info(
        { eventId: consumed.eventId, eventType: consumed.eventType, correlationId: consumed.correlationId, outcome: handling.outcome, reason },
        handling.outcome === 'rejected' ? 'ledger refused an event' : 'ledger ignored an event it had already applied or that was overtaken',
      );
    }
    return INBOX_OUTCOME[handling.outcome];
  }

  /** The ledger's own decision (the sweeper's): no consumed event behind it. */
  async record(tx: SqlTransaction, messageType: string, handling: LedgerHandling, facts: EnvelopeFacts): Promise<void> {
    await this.append(tx, handling, facts);
    this.handled.inc({ message_type: messageType, outcome: handling.outcome, reason: rejectionCodeOf(handling) });
  }

  private async append(tx: SqlTransaction, handling: LedgerHandling, facts: EnvelopeFacts): Promise<void> {
    // A given event id can only be the first event's; the others get new ones.
    const { eventId: _givenId, ...others } = facts;
    await this.events.publishAll(
      tx,
      handling.events.map((draft, index) => toPendingEvent(draft, index === 0 ? facts : others)),
    );
  }
}

function rejectionCodeOf(handling: LedgerHandling): string {
  if (handling.outcome !== 'rejected') return '';
  const rejected = handling.events.find((event) => event.eventType === 'LedgerRejected');
  return rejected?.eventType === 'LedgerRejected' ? rejected.payload.rejectionCode : '';
}
