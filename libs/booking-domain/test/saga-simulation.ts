import type { Actor } from '@txn/contracts';
import { money } from '@txn/money';
import {
  createPayment,
  onBookingConfirmed,
  onBookingReleased,
  recordAuthorizationResult,
  recordCaptureResult,
  recordRefundResult,
  recordVoidResult,
  requestRefund,
  resolveOutcomeByQuery,
  type AuthorizationResult,
  type CaptureResult,
  type Payment,
  type PaymentDecision,
  type PaymentEvent,
  type PspCall,
  type PspIntentSnapshot,
  type RefundResult,
  type VoidResult,
} from '@txn/payment-domain';
import type { Booking, BookingDecision, BookingEvent } from '../src/booking';
import { DEFAULT_REFUND_POLICY, type CancelledBy, type RefundPolicy } from '../src/refund-policy';
import { DEFAULT_DEADLINE_POLICY, expireLapsedHold, onDeadlineReached, sagaDeadline, type DeadlinePolicy, type DeadlineReached, type SagaDeadline } from '../src/deadlines';
import { cancel, complete, hold, requestBooking } from '../src/intents';
import { onPaymentAuthorized, onPaymentCaptured, onPaymentCaptureFailed, onPaymentFailed } from '../src/saga';

const SERVICE: Actor = { type: 'SERVICE', id: 'saga-simulation' };
const CUSTOMER: Actor = { type: 'USER', id: 'customer-1' };
const DEADLINE_WATCHER: Actor = { type: 'SYSTEM', id: 'booking-deadline-watcher' };
const EXPIRY_SWEEPER: Actor = { type: 'SYSTEM', id: 'booking-expiry-sweeper' };

/**
 * The choreography in memory, for tests: what the booking and payment services will do with
 * these pure functions, minus Kafka and PostgreSQL. Events are delivered in the order they were
 * emitted; PSP calls wait until the test answers them, so a test controls every race.
 */
export class SagaSimulation {
  booking: Booking;
  payment: Payment | null = null;
  now: Date;
  readonly issuedCalls: PspCall[] = [];
  readonly outstanding: PspCall[] = [];
  readonly events: (BookingEvent | PaymentEvent)[] = [];
  readonly notApplied: { aggregate: 'booking' | 'payment'; outcome: 'stale' | 'refused'; why: string }[] = [];
  private readonly queue: (BookingEvent | PaymentEvent)[] = [];
  private refundSequence = 0;

  constructor(
    start: Date,
    slotStartsAt: Date,
    readonly refundPolicy: RefundPolicy = DEFAULT_REFUND_POLICY,
    /** The service's deadline policy: the deadline the store keeps for each stage comes from it. */
    readonly deadlinePolicy: DeadlinePolicy = DEFAULT_DEADLINE_POLICY,
  ) {
    this.now = start;
    this.booking = requestBooking(
      {
        bookingId: 'b0000000-0000-4000-8000-000000000001',
        tenantId: 'merchant-1',
        customerId: 'customer-1',
        customerEmail: null,
        slot: { resourceId: 'room-1', startsAt: slotStartsAt, endsAt: new Date(slotStartsAt.getTime() + 3_600_000) },
        price: money(10_000n, 'EUR'),
        holdExpiresAt: new Date(start.getTime() + 3_600_000),
      },
      start,
    );
  }

  advance(ms: number): this {
    this.now = new Date(this.now.getTime() + ms);
    return this;
  }

  private ctx(actor: Actor = SERVICE): { now: Date; actor: Actor } {
    return { now: this.now, actor };
  }

  requestBooking(): this {
    return this.onBooking(hold(this.booking, this.ctx(CUSTOMER)));
  }

  customerCancels(cancelledBy: CancelledBy = 'CUSTOMER'): this {
    return this.onBooking(cancel(this.booking, { reason: 'CUSTOMER_REQUEST', cancelledBy, refundPolicy: this.refundPolicy }, this.ctx(CUSTOMER)));
  }

  merchantDelivers(): this {
    return this.onBooking(complete(this.booking, { deliveredAt: this.now, reason: null }, this.ctx({ type: 'API_KEY', id: 'merchant-key' })));
  }

  /** One run of the expiry sweeper: it looks at held bookings only, and the domain decides whether the hold has lapsed. */
  sweepExpiredHolds(): this {
    if (this.booking.status !== 'HELD') return this;
    return this.onBooking(expireLapsedHold(this.booking, this.storedDeadline() ?? missingDeadline(this.booking), this.ctx(EXPIRY_SWEEPER)));
  }

  /**
   * What booking's deadline watcher sends now: BookingDeadlineReached for the booking's current
   * stage when its deadline has passed, else null. Deliver it with `deadlineReached`, possibly
   * after other facts (the command travels through Kafka like any other).
   */
  dueDeadline(): DeadlineReached | null {
    const deadline = this.storedDeadline();
    if (deadline === null || deadline.at.getTime() > this.now.getTime()) return null;
    return { stage: deadline.stage, deadlineAt: deadline.at, reachedAt: this.now };
  }

  /** Booking consumes a BookingDeadlineReached (as the watcher's, unless another actor is named). */
  deadlineReached(reached: DeadlineReached, actor: Actor = DEADLINE_WATCHER): this {
    return this.onBooking(onDeadlineReached(this.booking, this.storedDeadline(), reached, this.ctx(actor)));
  }

  /**
   * The deadline the store keeps with the booking: fixed when it entered its stage, so with one
   * policy throughout it is the stage's deadline by that policy.
   */
  storedDeadline(): SagaDeadline | null {
    return sagaDeadline(this.booking, this.deadlinePolicy);
  }

  refund(refundId: string, amountMinor: bigint): PaymentDecision {
    const decision = requestRefund(this.requirePayment(), { refundId, amount: money(amountMinor, 'EUR'), reason: 'GOODWILL' }, this.ctx({ type: 'USER', id: 'staff-1' }));
    this.onPayment(decision);
    return decision;
  }

  /** The PSP answers the oldest outstanding call of `operation`. */
  pspAnswers(operation: PspCall['operation'], result: AuthorizationResult | CaptureResult | VoidResult | RefundResult): this {
    const index = this.outstanding.findIndex((call) => call.operation === operation);
    const call = this.outstanding[index];
    if (call === undefined) throw new Error(`no outstanding ${operation} call`);
    this.outstanding.splice(index, 1);
    const payment = this.requirePayment();
    const ctx = this.ctx();
    switch (operation) {
      case 'AUTHORIZE':
        return this.onPayment(recordAuthorizationResult(payment, result as AuthorizationResult, ctx));
      case 'CAPTURE':
        return this.onPayment(recordCaptureResult(payment, result as CaptureResult, ctx));
      case 'VOID':
        return this.onPayment(recordVoidResult(payment, result as VoidResult, ctx));
      case 'REFUND':
        return this.onPayment(recordRefundResult(payment, call.refundId ?? '', result as RefundResult, ctx));
    }
  }

  pspQueried(snapshot: PspIntentSnapshot): this {
    return this.onPayment(resolveOutcomeByQuery(this.requirePayment(), snapshot, this.ctx()));
  }

  /** Redeliver an event already delivered once (at-least-once delivery). */
  redeliver(eventType: string): this {
    const event = this.events.find((candidate) => candidate.eventType === eventType);
    if (event === undefined) throw new Error(`no ${eventType} to redeliver`);
    this.queue.push(event);
    this.drain();
    return this;
  }

  eventTypes(): string[] {
    return this.events.map((event) => event.eventType);
  }

  requirePayment(): Payment {
    if (this.payment === null) throw new Error('no payment yet');
    return this.payment;
  }

  private onBooking(decision: BookingDecision): this {
    this.booking = decision.state;
    if (decision.outcome === 'applied') this.emit(decision.events);
    else this.notApplied.push({ aggregate: 'booking', outcome: decision.outcome, why: decision.outcome === 'stale' ? decision.stale : decision.refused });
    return this;
  }

  private onPayment(decision: PaymentDecision): this {
    this.payment = decision.state;
    if (decision.outcome === 'applied') {
      this.issuedCalls.push(...decision.calls);
      this.outstanding.push(...decision.calls);
      this.emit(decision.events);
    } else {
      this.notApplied.push({ aggregate: 'payment', outcome: decision.outcome, why: decision.outcome === 'stale' ? decision.stale : decision.refused });
    }
    return this;
  }

  private emit(events: readonly (BookingEvent | PaymentEvent)[]): void {
    this.events.push(...events);
    this.queue.push(...events);
    this.drain();
  }

  private draining = false;
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let event = this.queue.shift(); event !== undefined; event = this.queue.shift()) this.deliver(event);
    } finally {
      this.draining = false;
    }
  }

  /** Who consumes what: the choreography. */
  private deliver(event: BookingEvent | PaymentEvent): void {
    const ctx = { now: this.now, actor: SERVICE };
    switch (event.eventType) {
      case 'BookingHeld':
        if (this.payment === null) {
          const p = event.payload;
          this.onPayment(createPayment({ paymentId: 'c0000000-0000-4000-8000-000000000001', bookingId: p.bookingId, tenantId: this.booking.tenantId, amount: money(p.price.amountMinor, p.price.currency), feeTerms: { bps: 1_000, rule: 'DEFAULT_RATE/HALF_UP', scheduleVersion: 'fs-test' } }, ctx));
        }
        return;
      case 'BookingConfirmed':
        this.onPayment(onBookingConfirmed(this.requirePayment(), ctx));
        return;
      case 'BookingExpired':
      case 'BookingCancelled': {
        if (this.payment === null) return;
        const refundAmount = event.eventType === 'BookingCancelled' && event.payload.refundAmount !== null ? money(event.payload.refundAmount.amountMinor, event.payload.refundAmount.currency) : null;
        this.refundSequence += 1;
        const refundId = `d0000000-0000-4000-8000-00000000000${this.refundSequence}`;
        this.onPayment(onBookingReleased(this.requirePayment(), { reason: event.eventType === 'BookingExpired' ? 'BOOKING_EXPIRED' : 'BOOKING_CANCELLED', refundAmount, refundId }, ctx));
        return;
      }
      case 'PaymentAuthorized': {
        const p = event.payload;
        // As the service reads it: the PSP's time of the authorization, else (older events) when payment recorded it.
        const authorizedAt = p.authorizedAt ?? event.occurredAt;
        this.onBooking(onPaymentAuthorized(this.booking, { paymentId: p.paymentId, authorizedAmount: money(p.authorizedAmount.amountMinor, p.authorizedAmount.currency), authorizedAt }, ctx));
        return;
      }
      case 'PaymentFailed':
        this.onBooking(onPaymentFailed(this.booking, { paymentId: event.payload.paymentId }, ctx));
        return;
      case 'PaymentCaptured':
        this.onBooking(onPaymentCaptured(this.booking, { paymentId: event.payload.paymentId, capturedAmount: money(event.payload.capturedAmount.amountMinor, event.payload.capturedAmount.currency) }, ctx));
        return;
      case 'PaymentCaptureFailed':
        this.onBooking(onPaymentCaptureFailed(this.booking, { paymentId: event.payload.paymentId }, ctx));
        return;
      default:
        // BookingRejected, BookingCompleted (ledger's), PaymentRequiresAction, PaymentOutcomeUnknown,
        // PaymentVoided, PaymentRefunded: no reaction from booking or payment.
        return;
    }
  }
}

function missingDeadline(booking: Booking): never {
  throw new Error(`booking ${booking.bookingId}: held without a stored deadline`);
}
