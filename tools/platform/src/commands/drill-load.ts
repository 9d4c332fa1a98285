import { randomUUID } from 'node:crypto';
import type { ApiClient } from '@txn/api-client';

// The drill's customers: bookings through the public API at a steady rate (open loop: a slow
// platform does not slow the arrivals, as real customers do not wait for each other), then each
// followed to where it ends.

const HOUR_MS = 3_600_000;
const PRICE_MINOR = 12_000;
/** Requests in flight at most; beyond it an arrival is counted as shed, not queued without bound. */
const MAX_IN_FLIGHT = 64;
/** Settled for the drill: nothing more happens to it without a new command. */
const SETTLED = new Set(['CONFIRMED', 'REJECTED', 'EXPIRED', 'CANCELLED', 'COMPLETED']);
const SETTLE_POLL_MS = 2_000;

export interface Arrival {
  readonly at_ms: number;
  /** HTTP status of POST /v1/bookings; 0 when it never answered. */
  readonly status: number;
  readonly bookingId?: string;
  readonly latency_ms: number;
}

export interface LoadOptions {
  readonly api: ApiClient;
  readonly resourceId: string;
  readonly rate_per_s: number;
  readonly duration_ms: number;
  /** Every slot is this many hours after this instant, one hour each: no two bookings want the same one. */
  readonly firstSlot: Date;
}

async function book(api: ApiClient, resourceId: string, startsAt: Date, index: number): Promise<Arrival> {
  const at_ms = Date.now();
  try {
    const answer = await api.POST('/v1/bookings', {
      params: { header: { 'Idempotency-Key': `drill-${randomUUID()}` } },
      body: { resourceId, slot: { startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + HOUR_MS).toISOString() }, price: { amountMinor: PRICE_MINOR, currency: 'EUR' }, customerId: `drill-customer-${index}` },
    });
    return { at_ms, status: answer.response.status, ...(answer.data === undefined ? {} : { bookingId: answer.data.id }), latency_ms: Date.now() - at_ms };
  } catch {
    return { at_ms, status: 0, latency_ms: Date.now() - at_ms };
  }
}

/** Sends bookings at `rate_per_s` for `duration_ms`; resolves with every arrival once the last has answered. */
export async function driveBookings(options: LoadOptions): Promise<{ arrivals: Arrival[]; shed: number }> {
  const interval_ms = 1000 / options.rate_per_s;
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  const arrivals: Arrival[] = [];
  let shed = 0;
  for (let index = 0; Date.now() - started < options.duration_ms; index += 1) {
    const due = started + index * interval_ms;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (inFlight.size >= MAX_IN_FLIGHT) {
      shed += 1;
      continue;
    }
    const startsAt = new Date(options.firstSlot.getTime() + index * HOUR_MS);
    const request: Promise<void> = book(options.api, options.resourceId, startsAt, index).then((arrival) => {
      arrivals.push(arrival);
      inFlight.delete(request);
    });
    inFlight.add(request);
  }
  await Promise.all(inFlight);
  return { arrivals: arrivals.sort((a, b) => a.at_ms - b.at_ms), shed };
}

/** Every booking's status through the API, polled until all are settled or the deadline passes. */
export async function settle(api: ApiClient, bookingIds: readonly string[], deadline_ms: number): Promise<Map<string, string>> {
  const statuses = new Map<string, string>();
  for (;;) {
    for (const id of bookingIds) {
      if (SETTLED.has(statuses.get(id) ?? '')) continue;
      const read = await api.GET('/v1/bookings/{id}', { params: { path: { id } } });
      statuses.set(id, read.data?.status ?? `HTTP ${read.response.status}`);
    }
    const open = bookingIds.filter((id) => !SETTLED.has(statuses.get(id) ?? ''));
    if (open.length === 0 || Date.now() >= deadline_ms) return statuses;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
  }
}
