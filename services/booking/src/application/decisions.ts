import { sagaDeadline, type Booking, type BookingDecision, type DeadlinePolicy, type SagaDeadline } from '@txn/booking-domain';
import type { Actor } from '@txn/contracts';
import type { HandlerOutcome } from '@txn/messaging';
import type { EventPublisher } from '@txn/nest-messaging';
import type { SqlTransaction } from '@txn/sql';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { toPendingEvent } from '../messaging/events';
import { insertBooking, recordUnapplied, updateBooking } from '../persistence/bookings';

/** The message a decision answers (absent for the sweeper's own decisions). */
export interface Cause {
  readonly eventId: string;
  readonly eventType: string;
  readonly actor: Actor;
}

/**
 * Carries out a booking decision in the caller's transaction: `applied` stores the state (with
 * the deadline of the saga's stage, from the deadline policy) and appends its events to the
 * outbox; `stale` and `refused` change nothing and are recorded (unapplied_messages with the
 * reason, a log line, booking_decisions_total). One place, so every use case records outcomes the
 * same way.
 */
export class BookingDecisions {
  private readonly decisions: Counter<'message_type' | 'outcome' | 'reason'>;

  constructor(
    private readonly events: EventPublisher,
    private readonly logger: Logger,
    metrics: Registry,
    private readonly producer: string,
    private readonly deadlinePolicy: DeadlinePolicy,
  ) {
    this.decisions = new Counter({
      name: 'booking_decisions_total',
      help: 'Decisions of the booking aggregate by message type and outcome (applied, stale, rejected) and, when not applied, why.',
      labelNames: ['message_type', 'outcome', 'reason'],
      registers: [metrics],
    });
  }

  /** The deadline of the stage the booking is in, by this service's policy; stored with the row. */
  deadlineOf(booking: Booking): SagaDeadline | null {
    return sagaDeadline(booking, this.deadlinePolicy);
  }

  /**
   * Returns the inbox outcome: applied, stale, or rejected (a refused command). `before`: the
   * stored booking, or undefined when the decision creates it (`inserted`: the caller already
   * wrote the new row, as the hold does under its savepoint).
   */
  async settle(
    tx: SqlTransaction,
    decision: BookingDecision,
    at: { readonly before: Booking | undefined; readonly cause: Cause | undefined; readonly messageType: string; readonly inserted?: boolean },
  ): Promise<HandlerOutcome> {
    const { before, cause, messageType } = at;
    const booking = decision.state;
    if (decision.outcome === 'applied') {
      if (before !== undefined) await updateBooking(tx, booking, before.version, this.deadlineOf(booking));
      else if (at.inserted !== true) await insertBooking(tx, booking, this.deadlineOf(booking));
      const pending = decision.events.map((event) =>
        toPendingEvent(event, booking.bookingId, { producer: this.producer, tenantId: booking.tenantId, causationId: cause?.eventId ?? null }),
      );
      await this.events.publishAll(tx, pending);
      this.decisions.inc({ message_type: messageType, outcome: 'applied', reason: '' });
      return 'applied';
    }
    const outcome = decision.outcome === 'stale' ? 'stale' : 'rejected';
    const reason = decision.outcome === 'stale' ? decision.stale : decision.refused;
    return this.unapplied(tx, { bookingId: booking.bookingId, status: before?.status ?? null, outcome, reason }, cause, messageType);
  }

  /** A message that changed nothing (also for a booking that does not exist). */
  async unapplied(
    tx: SqlTransaction,
    what: { readonly bookingId: string; readonly status: string | null; readonly outcome: 'stale' | 'rejected'; readonly reason: string },
    cause: Cause | undefined,
    messageType: string,
  ): Promise<HandlerOutcome> {
    this.decisions.inc({ message_type: messageType, outcome: what.outcome, reason: what.reason });
    this.logger.info(
      { bookingId: what.bookingId, messageType, eventId: cause?.eventId, outcome: what.outcome, reason: what.reason, status: what.status },
      what.outcome === 'rejected' ? 'booking refused a message' : 'booking ignored a stale message',
    );
    if (cause !== undefined) {
      await recordUnapplied(tx, { eventId: cause.eventId, eventType: cause.eventType, bookingId: what.bookingId, outcome: what.outcome, reason: what.reason, status: what.status, actor: cause.actor });
    }
    return what.outcome;
  }
}
