import type { Actor } from '@txn/contracts';
import type { HandlerOutcome } from '@txn/messaging';
import type { EventPublisher } from '@txn/nest-messaging';
import type { PaymentDecision } from '@txn/payment-domain';
import type { SqlTransaction } from '@txn/sql';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { toPendingEvent } from '../messaging/events';
import { enqueueCalls } from '../persistence/psp-calls';
import { insertPayment, queryDueAt, recordUnapplied, updatePayment, type StoredPayment } from '../persistence/payments';

/** The message a decision answers (absent for PSP answers and queries: see `causationId`). */
export interface Cause {
  readonly eventId: string;
  readonly eventType: string;
  readonly actor: Actor;
}

export interface SettleContext {
  /** The stored payment, or undefined when the decision creates it. */
  readonly before: StoredPayment | undefined;
  /** customerId / paymentMethod for a new payment (kept from `before` otherwise). */
  readonly extras?: { readonly customerId: string; readonly paymentMethod: string };
  readonly cause: Cause | undefined;
  /**
   * Without a message (a PSP answer): the event the events name as their cause, i.e. the one that
   * asked for the call. A message's own id takes precedence.
   */
  readonly causationId?: string | null;
  readonly messageType: string;
  readonly now: Date;
}

/**
 * Carries out a payment decision in the caller's transaction: `applied` stores the state,
 * appends its events to the outbox and its PSP calls to the work list (made after commit);
 * `stale` and `refused` change nothing and are recorded (unapplied_messages with the reason when
 * a message caused them, a log line, payment_decisions_total). One place, so every path (inbox,
 * PSP answers, queries, webhooks) records outcomes the same way.
 */
export class PaymentDecisions {
  private readonly decisions: Counter<'message_type' | 'outcome' | 'reason'>;

  constructor(
    private readonly events: EventPublisher,
    private readonly logger: Logger,
    metrics: Registry,
    private readonly producer: string,
    private readonly queryTimeDivisor: number,
  ) {
    this.decisions = new Counter({
      name: 'payment_decisions_total',
      help: 'Decisions of the payment aggregate by message type (or PSP answer) and outcome (applied, stale, rejected) and, when not applied, why.',
      labelNames: ['message_type', 'outcome', 'reason'],
      registers: [metrics],
    });
  }

  async settle(tx: SqlTransaction, decision: PaymentDecision, at: SettleContext): Promise<HandlerOutcome> {
    const { before, cause, messageType } = at;
    const payment = decision.state;
    if (decision.outcome === 'applied') {
      const extras = before ?? at.extras;
      if (extras === undefined) throw new Error(`payment ${payment.paymentId}: a new payment needs its customer and payment method`);
      const stored: StoredPayment = { payment, customerId: extras.customerId, paymentMethod: extras.paymentMethod };
      const due = queryDueAt(payment, at.now, this.queryTimeDivisor);
      if (before === undefined) await insertPayment(tx, stored, due);
      else await updatePayment(tx, stored, before.payment.version, due);
      const causationId = cause?.eventId ?? at.causationId ?? null;
      // A call asked for while recording an answer (a re-issue, a void after a refused capture)
      // keeps the chain: it is caused by what caused the answered call.
      await enqueueCalls(tx, payment.paymentId, decision.calls, causationId);
      const facts = { producer: this.producer, tenantId: payment.tenantId, bookingId: payment.bookingId, causationId };
      await this.events.publishAll(tx, decision.events.map((event) => toPendingEvent(event, payment.paymentId, facts)));
      this.decisions.inc({ message_type: messageType, outcome: 'applied', reason: '' });
      return 'applied';
    }
    const outcome = decision.outcome === 'stale' ? 'stale' : 'rejected';
    const reason = decision.outcome === 'stale' ? decision.stale : decision.refused;
    return this.unapplied(tx, { paymentId: payment.paymentId, status: before?.payment.status ?? null, outcome, reason }, cause, messageType);
  }

  /** A message or answer that changed nothing (also for a payment that does not exist). */
  async unapplied(
    tx: SqlTransaction,
    what: { readonly paymentId: string; readonly status: string | null; readonly outcome: 'stale' | 'rejected'; readonly reason: string },
    cause: Cause | undefined,
    messageType: string,
  ): Promise<HandlerOutcome> {
    this.decisions.inc({ message_type: messageType, outcome: what.outcome, reason: what.reason });
    this.logger.info(
      { paymentId: what.paymentId, messageType, eventId: cause?.eventId, outcome: what.outcome, reason: what.reason, status: what.status },
      what.outcome === 'rejected' ? 'payment refused a message' : 'payment ignored a stale message',
    );
    if (cause !== undefined) {
      await recordUnapplied(tx, { eventId: cause.eventId, eventType: cause.eventType, paymentId: what.paymentId, outcome: what.outcome, reason: what.reason, status: what.status, actor: cause.actor });
    }
    return what.outcome;
  }
}
