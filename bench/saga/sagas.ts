import { randomUUID } from 'node:crypto';
import { CompleteBooking, RequestBooking, type Actor, type Envelope } from '@txn/contracts';
import type { LogLine, PlatformInProcess } from '@txn/e2e';

// Drives bookings through the happy path and timestamps every step of every saga. The customer's
// RequestBooking and the merchant's CompleteBooking are the only things sent from outside; the
// rest is the services' own doing. Everything is read incrementally (cursors into the harness's
// arrays), so a tick costs what arrived since the last one, not the whole history.

export interface DriveOptions {
  readonly bookings: number;
  /** Most sagas in flight at once (closed loop), and the bound on an open loop's backlog. */
  readonly concurrency: number;
  /** Bookings started per second (open loop); 0 = closed loop, a new one as soon as one ends. */
  readonly rate_per_s: number;
  readonly resources: number;
  readonly priceMinor: bigint;
  /** A saga not released this long after its request fails the run. */
  readonly sagaTimeout_ms: number;
}

/** Epoch ms of each step; names are the events (or, for `*Handled`, the consumer's commit of them). */
export interface SagaTimes {
  readonly bookingId: string;
  readonly requested: number;
  bookingHandledRequest?: number;
  held?: number;
  paymentHandledHeld?: number;
  pspAuthorized?: number;
  authorized?: number;
  bookingHandledAuthorized?: number;
  confirmed?: number;
  paymentHandledConfirmed?: number;
  pspCaptured?: number;
  captured?: number;
  bookingHandledCaptured?: number;
  completeSent?: number;
  bookingHandledComplete?: number;
  completed?: number;
  ledgerHandledCompleted?: number;
  released?: number;
  paymentId?: string;
}

export interface DriveResult {
  readonly sagas: readonly SagaTimes[];
  readonly startedAt_ms: number;
  readonly lastReleasedAt_ms: number;
  /** Sagas not released within `sagaTimeout_ms` (the run fails). */
  readonly timedOut: readonly string[];
  /** Event types outside the happy path, by type: must be empty. */
  readonly offPathEvents: Readonly<Record<string, number>>;
  /** Most sagas in flight at one time. */
  readonly peakInFlight: number;
}

const HOUR_MS = 3_600_000;
/** Slots start this far ahead: well inside any horizon, far from "in the past". */
const SLOT_LEAD_MS = 48 * HOUR_MS;
const HOLD_MS = 15 * 60_000;
/** How often the driver looks at what arrived: small against a saga step (tens of ms). */
const TICK_MS = 5;
const MERCHANT: Actor = { type: 'API_KEY', id: 'merchant-bench-key' };
const OFF_PATH = /Rejected|Failed|Unknown|Voided|Cancelled|Expired/;

const sleep = (ms: number): Promise<void> => new Promise((resolvePromise) => setTimeout(resolvePromise, ms));

/** Which step a consumer's commit of an event type marks, per service. */
const HANDLED_STEP = {
  booking: { RequestBooking: 'bookingHandledRequest', PaymentAuthorized: 'bookingHandledAuthorized', PaymentCaptured: 'bookingHandledCaptured', CompleteBooking: 'bookingHandledComplete' },
  payment: { BookingHeld: 'paymentHandledHeld', BookingConfirmed: 'paymentHandledConfirmed' },
  ledger: { BookingCompleted: 'ledgerHandledCompleted' },
} as const satisfies Record<string, Record<string, keyof SagaTimes>>;

const EVENT_STEP = {
  BookingHeld: 'held',
  PaymentAuthorized: 'authorized',
  BookingConfirmed: 'confirmed',
  PaymentCaptured: 'captured',
  BookingCompleted: 'completed',
  EscrowReleased: 'released',
} as const satisfies Record<string, keyof SagaTimes>;

type Step = keyof Omit<SagaTimes, 'bookingId' | 'requested' | 'paymentId'>;

/** Reads one harness log array from a cursor on. */
class LogCursor {
  private next = 0;
  constructor(private readonly lines: readonly LogLine[]) {}
  take(): readonly LogLine[] {
    const fresh = this.lines.slice(this.next);
    this.next = this.lines.length;
    return fresh;
  }
}

function logTime(line: LogLine): number {
  return typeof line.time === 'string' ? Date.parse(line.time) : Number.NaN;
}

/** The rooms the bookings are spread over, as rows of booking's resources table. */
async function insertResources(platform: PlatformInProcess, count: number): Promise<string[]> {
  const resourceIds = Array.from({ length: count }, (_, index) => `bench-room-${index}`);
  for (const resourceId of resourceIds) {
    await platform.booking.pool.query('INSERT INTO resources (tenant_id, resource_id, name) VALUES ($1, $2, $3)', [platform.tenantId, resourceId, 'bench room']);
  }
  return resourceIds;
}

/** One drive's state: every saga's times, the ones still open, and the cursors into what has arrived. */
class SagaDriver {
  private readonly byBooking = new Map<string, SagaTimes>();
  private readonly pspTimes = new Map<string, { AUTHORIZE?: number; CAPTURE?: number }>();
  private readonly open = new Set<string>();
  private readonly offPathEvents: Record<string, number> = {};
  private readonly sends: Promise<void>[] = [];
  private readonly logs: Readonly<Record<'booking' | 'payment' | 'ledger', LogCursor>>;
  private seenCursor = 0;
  private started = 0;
  private peakInFlight = 0;
  private lastReleasedAt_ms = 0;

  constructor(
    private readonly platform: PlatformInProcess,
    private readonly options: DriveOptions,
    private readonly resourceIds: readonly string[],
    private readonly slotBase_ms: number,
  ) {
    this.logs = { booking: new LogCursor(platform.booking.logs), payment: new LogCursor(platform.payment.logs), ledger: new LogCursor(platform.ledger.logs) };
  }

  /** Starts bookings as the loop allows, reads what arrived, until every booking is released or one saga times out. */
  async run(): Promise<DriveResult> {
    const startedAt_ms = Date.now();
    const timedOut: string[] = [];
    while (this.started < this.options.bookings || this.open.size > 0) {
      this.startDue(startedAt_ms);
      this.readArrivals();
      if (this.sends.length > 0) await Promise.all(this.sends.splice(0));
      timedOut.push(...this.overdue(Date.now()));
      if (timedOut.length > 0) break;
      await sleep(TICK_MS);
    }
    this.attachPspTimes();
    return { sagas: [...this.byBooking.values()], startedAt_ms, lastReleasedAt_ms: this.lastReleasedAt_ms, timedOut, offPathEvents: this.offPathEvents, peakInFlight: this.peakInFlight };
  }

  /** Open loop: the bookings due by now at --rate; closed loop: as many as there is room for. Either way at most `concurrency` open. */
  private startDue(startedAt_ms: number): void {
    const { bookings, concurrency, rate_per_s } = this.options;
    if (rate_per_s > 0) {
      const due = Math.min(bookings, Math.floor(((Date.now() - startedAt_ms) / 1000) * rate_per_s) + 1);
      while (this.started < due && this.open.size < concurrency) this.startOne();
    } else {
      while (this.started < bookings && this.open.size < concurrency) this.startOne();
    }
  }

  /** Open sagas requested longer than `sagaTimeout_ms` ago. */
  private overdue(now: number): string[] {
    const late: string[] = [];
    for (const bookingId of this.open) {
      if (now - (this.byBooking.get(bookingId)?.requested ?? now) > this.options.sagaTimeout_ms) late.push(bookingId);
    }
    return late;
  }

  /** An envelope as the customer's or the merchant's client would send it. */
  private envelope(eventType: string, bookingId: string, actor: Actor): Envelope {
    return {
      eventId: randomUUID(), eventType, occurredAt: new Date(), producer: 'bench-saga', aggregateId: bookingId, aggregateVersion: 0n, correlationId: bookingId, causationId: null, actor, tenantId: this.platform.tenantId,
    };
  }

  /** Records when a saga reached a step. */
  private mark(bookingId: string | undefined, step: Step, at_ms: number): void {
    const saga = bookingId === undefined ? undefined : this.byBooking.get(bookingId);
    // First time only: a redelivery must not move a step later.
    if (saga !== undefined && saga[step] === undefined) saga[step] = at_ms;
  }

  /** The customer's RequestBooking for the next booking. */
  private startOne(): void {
    const index = this.started;
    this.started += 1;
    const bookingId = randomUUID();
    const customer: Actor = { type: 'USER', id: `bench-customer-${index}` };
    // Every booking its own slot: one resource per index modulo, one hour later per round.
    const startsAt = new Date(this.slotBase_ms + Math.floor(index / this.options.resources) * HOUR_MS);
    const request: RequestBooking = {
      envelope: this.envelope('RequestBooking', bookingId, customer),
      bookingId,
      requestIdempotencyKey: randomUUID(),
      customerId: customer.id,
      customerEmail: null,
      slot: { resourceId: this.resourceIds[index % this.options.resources] ?? 'bench-room-0', startsAt, endsAt: new Date(startsAt.getTime() + HOUR_MS) },
      price: { amountMinor: this.options.priceMinor, currency: 'EUR' },
      holdExpiresAt: new Date(Date.now() + HOLD_MS),
    };
    this.byBooking.set(bookingId, { bookingId, requested: request.envelope.occurredAt.getTime() });
    this.open.add(bookingId);
    this.peakInFlight = Math.max(this.peakInFlight, this.open.size);
    this.sends.push(this.platform.send(RequestBooking, request, bookingId));
  }

  /** The merchant's CompleteBooking. */
  private complete(bookingId: string): void {
    const completion: CompleteBooking = { envelope: this.envelope('CompleteBooking', bookingId, MERCHANT), bookingId, deliveredAt: new Date(), reason: null };
    this.mark(bookingId, 'completeSent', completion.envelope.occurredAt.getTime());
    this.sends.push(this.platform.send(CompleteBooking, completion, bookingId));
  }

  /** What arrived since the last tick: the saga events first, then each service's log lines. */
  private readArrivals(): void {
    this.readEvents();
    for (const service of ['booking', 'payment', 'ledger'] as const) {
      for (const line of this.logs[service].take()) this.readLogLine(service, line);
    }
  }

  /** The saga topics' events since the last tick: each marks its step; EscrowReleased closes the saga. */
  private readEvents(): void {
    const seen = this.platform.seen;
    for (; this.seenCursor < seen.length; this.seenCursor += 1) {
      const event = seen[this.seenCursor];
      if (event === undefined) continue;
      const bookingId = event.value.envelope.correlationId ?? undefined;
      if (OFF_PATH.test(event.eventType)) this.offPathEvents[event.eventType] = (this.offPathEvents[event.eventType] ?? 0) + 1;
      const step = EVENT_STEP[event.eventType as keyof typeof EVENT_STEP] as Step | undefined;
      if (step === undefined || bookingId === undefined) continue;
      this.mark(bookingId, step, event.value.envelope.occurredAt.getTime());
      const saga = this.byBooking.get(bookingId);
      if (event.eventType === 'PaymentAuthorized' && saga !== undefined) saga.paymentId = String(event.value.paymentId);
      if (event.eventType === 'EscrowReleased' && this.open.delete(bookingId)) this.lastReleasedAt_ms = Date.now();
    }
  }

  /** One log line: a consumer's commit of a saga message marks its step; payment's PSP answers are kept by payment id. */
  private readLogLine(service: keyof typeof HANDLED_STEP, line: LogLine): void {
    const steps: Readonly<Record<string, Step>> = HANDLED_STEP[service];
    if (line.msg === 'message handled' && typeof line.eventType === 'string' && typeof line.correlationId === 'string') {
      const step = steps[line.eventType];
      if (step === undefined) return;
      this.mark(line.correlationId, step, logTime(line));
      // The merchant completes once booking has recorded the capture (escrow funded), not before.
      if (step === 'bookingHandledCaptured' && line.outcome === 'applied') this.complete(line.correlationId);
    } else if (service === 'payment' && line.msg === 'PSP call answered and recorded' && typeof line.paymentId === 'string') {
      const operation = line.operation === 'AUTHORIZE' || line.operation === 'CAPTURE' ? line.operation : undefined;
      const times = this.pspTimes.get(line.paymentId) ?? {};
      if (operation !== undefined && times[operation] === undefined) times[operation] = logTime(line);
      this.pspTimes.set(line.paymentId, times);
    }
  }

  /** The PSP answers are logged by payment id: each saga takes its own once its payment id is known. */
  private attachPspTimes(): void {
    for (const saga of this.byBooking.values()) {
      const times = saga.paymentId === undefined ? undefined : this.pspTimes.get(saga.paymentId);
      if (times?.AUTHORIZE !== undefined) saga.pspAuthorized = times.AUTHORIZE;
      if (times?.CAPTURE !== undefined) saga.pspCaptured = times.CAPTURE;
    }
  }
}

/** Drives `options.bookings` sagas through the happy path and returns every step's time. */
export async function driveSagas(platform: PlatformInProcess, options: DriveOptions): Promise<DriveResult> {
  const resourceIds = await insertResources(platform, options.resources);
  return new SagaDriver(platform, options, resourceIds, Date.now() + SLOT_LEAD_MS).run();
}
