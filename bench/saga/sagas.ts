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

export async function driveSagas(platform: PlatformInProcess, options: DriveOptions): Promise<DriveResult> {
  const resourceIds = Array.from({ length: options.resources }, (_, index) => `bench-room-${index}`);
  for (const resourceId of resourceIds) {
    await platform.booking.pool.query('INSERT INTO resources (tenant_id, resource_id, name) VALUES ($1, $2, $3)', [platform.tenantId, resourceId, 'bench room']);
  }
  const slotBase_ms = Date.now() + SLOT_LEAD_MS;

  const byBooking = new Map<string, SagaTimes>();
  const pspTimes = new Map<string, { AUTHORIZE?: number; CAPTURE?: number }>();
  const open = new Set<string>();
  const offPathEvents: Record<string, number> = {};
  const sends: Promise<void>[] = [];
  const logs = { booking: new LogCursor(platform.booking.logs), payment: new LogCursor(platform.payment.logs), ledger: new LogCursor(platform.ledger.logs) };
  let seenCursor = 0;
  let started = 0;
  let peakInFlight = 0;
  let lastReleasedAt_ms = 0;

  const envelope = (eventType: string, bookingId: string, actor: Actor): Envelope => ({
    eventId: randomUUID(), eventType, occurredAt: new Date(), producer: 'bench-saga', aggregateId: bookingId, aggregateVersion: 0n, correlationId: bookingId, causationId: null, actor, tenantId: platform.tenantId,
  });

  const mark = (bookingId: string | undefined, step: Step, at_ms: number): void => {
    const saga = bookingId === undefined ? undefined : byBooking.get(bookingId);
    // First time only: a redelivery must not move a step later.
    if (saga !== undefined && saga[step] === undefined) saga[step] = at_ms;
  };

  const startOne = (): void => {
    const index = started;
    started += 1;
    const bookingId = randomUUID();
    const customer: Actor = { type: 'USER', id: `bench-customer-${index}` };
    // Every booking its own slot: one resource per index modulo, one hour later per round.
    const startsAt = new Date(slotBase_ms + Math.floor(index / options.resources) * HOUR_MS);
    const request: RequestBooking = {
      envelope: envelope('RequestBooking', bookingId, customer),
      bookingId,
      requestIdempotencyKey: randomUUID(),
      customerId: customer.id,
      customerEmail: null,
      slot: { resourceId: resourceIds[index % options.resources] ?? 'bench-room-0', startsAt, endsAt: new Date(startsAt.getTime() + HOUR_MS) },
      price: { amountMinor: options.priceMinor, currency: 'EUR' },
      holdExpiresAt: new Date(Date.now() + HOLD_MS),
    };
    byBooking.set(bookingId, { bookingId, requested: request.envelope.occurredAt.getTime() });
    open.add(bookingId);
    peakInFlight = Math.max(peakInFlight, open.size);
    sends.push(platform.send(RequestBooking, request, bookingId));
  };

  const complete = (bookingId: string): void => {
    const completion: CompleteBooking = { envelope: envelope('CompleteBooking', bookingId, MERCHANT), bookingId, deliveredAt: new Date(), reason: null };
    mark(bookingId, 'completeSent', completion.envelope.occurredAt.getTime());
    sends.push(platform.send(CompleteBooking, completion, bookingId));
  };

  const readArrivals = (): void => {
    const seen = platform.seen;
    for (; seenCursor < seen.length; seenCursor += 1) {
      const event = seen[seenCursor];
      if (event === undefined) continue;
      const bookingId = event.value.envelope.correlationId ?? undefined;
      if (OFF_PATH.test(event.eventType)) offPathEvents[event.eventType] = (offPathEvents[event.eventType] ?? 0) + 1;
      const step = EVENT_STEP[event.eventType as keyof typeof EVENT_STEP] as Step | undefined;
      if (step === undefined || bookingId === undefined) continue;
      mark(bookingId, step, event.value.envelope.occurredAt.getTime());
      const saga = byBooking.get(bookingId);
      if (event.eventType === 'PaymentAuthorized' && saga !== undefined) saga.paymentId = String(event.value.paymentId);
      if (event.eventType === 'EscrowReleased' && open.delete(bookingId)) lastReleasedAt_ms = Date.now();
    }
    for (const service of ['booking', 'payment', 'ledger'] as const) {
      const steps: Readonly<Record<string, Step>> = HANDLED_STEP[service];
      for (const line of logs[service].take()) {
        if (line.msg === 'message handled' && typeof line.eventType === 'string' && typeof line.correlationId === 'string') {
          const step = steps[line.eventType];
          if (step === undefined) continue;
          mark(line.correlationId, step, logTime(line));
          // The merchant completes once booking has recorded the capture (escrow funded), not before.
          if (step === 'bookingHandledCaptured' && line.outcome === 'applied') complete(line.correlationId);
        } else if (service === 'payment' && line.msg === 'PSP call answered and recorded' && typeof line.paymentId === 'string') {
          const operation = line.operation === 'AUTHORIZE' || line.operation === 'CAPTURE' ? line.operation : undefined;
          const times = pspTimes.get(line.paymentId) ?? {};
          if (operation !== undefined && times[operation] === undefined) times[operation] = logTime(line);
          pspTimes.set(line.paymentId, times);
        }
      }
    }
  };

  const startedAt_ms = Date.now();
  const timedOut: string[] = [];
  while (started < options.bookings || open.size > 0) {
    if (options.rate_per_s > 0) {
      const due = Math.min(options.bookings, Math.floor(((Date.now() - startedAt_ms) / 1000) * options.rate_per_s) + 1);
      while (started < due && open.size < options.concurrency) startOne();
    } else {
      while (started < options.bookings && open.size < options.concurrency) startOne();
    }
    readArrivals();
    if (sends.length > 0) await Promise.all(sends.splice(0));
    const now = Date.now();
    for (const bookingId of open) {
      if (now - (byBooking.get(bookingId)?.requested ?? now) > options.sagaTimeout_ms) timedOut.push(bookingId);
    }
    if (timedOut.length > 0) break;
    await sleep(TICK_MS);
  }

  for (const saga of byBooking.values()) {
    const times = saga.paymentId === undefined ? undefined : pspTimes.get(saga.paymentId);
    if (times?.AUTHORIZE !== undefined) saga.pspAuthorized = times.AUTHORIZE;
    if (times?.CAPTURE !== undefined) saga.pspCaptured = times.CAPTURE;
  }
  return { sagas: [...byBooking.values()], startedAt_ms, lastReleasedAt_ms, timedOut, offPathEvents, peakInFlight };
}
