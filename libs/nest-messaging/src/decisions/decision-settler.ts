import type { DomainEvent } from '@txn/domain-kernel';
import type { HandlerOutcome } from '@txn/messaging';
import type { SqlTransaction } from '@txn/sql';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { PendingEvent } from '../event-publisher';
import type { AnyDecision, Cause, Decided, DecisionStore, SettleOptions } from './decided';
import { toPendingEvent } from './envelopes';

/** Where the settler appends events: EventPublisher, or a fake in a unit test. */
export interface OutboxWriter {
  publishAll(tx: SqlTransaction, events: readonly PendingEvent[]): Promise<void>;
}

export interface DecisionSettlerOptions<TDecision extends AnyDecision, TWrite> {
  /** The service's name: the envelopes' producer and the metric's prefix. */
  readonly service: string;
  readonly outbox: OutboxWriter;
  readonly store: DecisionStore<TDecision, TWrite>;
  readonly logger: Logger;
  readonly metrics: Registry;
}

type DecisionCounter = Counter<'message_type' | 'outcome' | 'reason'>;

function decisionCounter(service: string, registry: Registry): DecisionCounter {
  const name = `${service.replace(/[^a-zA-Z0-9_]/g, '_')}_decisions_total`;
  const existing = registry.getSingleMetric(name);
  if (existing !== undefined) return existing as DecisionCounter;
  return new Counter({
    name,
    help: `Decisions of the ${service} service by message type (or timer, or PSP answer) and outcome (applied, stale, rejected) and, when not applied, why.`,
    labelNames: ['message_type', 'outcome', 'reason'],
    registers: [registry],
  });
}

/**
 * The one settle path of every service, in the caller's transaction (the inbox transaction for a
 * message, the sweeper's or dispatcher's own otherwise):
 * - applied: the store writes the state, the events get their envelopes and go to the outbox;
 * - stale / refused: nothing changes; a message's outcome is recorded for a person (the store's
 *   unapplied record) and logged with the reason; a refusal's announcement, if any, is appended;
 * and every outcome is counted in `<service>_decisions_total{message_type,outcome,reason}`.
 * Returns the inbox's outcome (a refusal is `rejected`).
 */
export class DecisionSettler<TDecision extends AnyDecision = AnyDecision, TWrite = unknown> {
  private readonly decisions: DecisionCounter;

  constructor(private readonly options: DecisionSettlerOptions<TDecision, TWrite>) {
    this.decisions = decisionCounter(options.service, options.metrics);
  }

  async settle(tx: SqlTransaction, decided: Decided<TDecision, TWrite>, cause: Cause | undefined, settle: SettleOptions = {}): Promise<HandlerOutcome> {
    const { decision, subject } = decided;
    const messageType = settle.messageType ?? cause?.eventType ?? 'unknown';
    const causationId = cause?.eventId ?? settle.causationId ?? null;
    if (decision.outcome === 'applied') {
      const applied = decision as Extract<TDecision, { readonly outcome: 'applied' }>;
      await this.options.store.storeApplied(tx, { decision: applied, subject, write: decided.write, causationId });
      await this.append(tx, applied.events, subject, causationId);
      this.decisions.inc({ message_type: messageType, outcome: 'applied', reason: '' });
      return 'applied';
    }
    const outcome = decision.outcome === 'stale' ? 'stale' : 'rejected';
    const reason = decision.outcome === 'stale' ? decision.stale : decision.refused;
    if (cause !== undefined) await this.options.store.recordUnapplied?.(tx, { cause, subject, outcome, reason });
    if (decision.outcome === 'refused') await this.append(tx, decision.events ?? [], subject, causationId);
    this.decisions.inc({ message_type: messageType, outcome, reason });
    this.options.logger.info(
      { aggregateId: subject.aggregateId, messageType, eventId: cause?.eventId, correlationId: subject.correlationId, outcome, reason, status: subject.status },
      outcome === 'rejected' ? `${this.options.service} refused a message` : `${this.options.service} ignored a stale message`,
    );
    return outcome;
  }

  private async append(tx: SqlTransaction, events: readonly DomainEvent[], subject: Decided['subject'], causationId: string | null): Promise<void> {
    if (events.length === 0) return;
    const facts = { producer: this.options.service, tenantId: subject.tenantId, correlationId: subject.correlationId, causationId };
    await this.options.outbox.publishAll(tx, events.map((event) => toPendingEvent(event, facts)));
  }
}
