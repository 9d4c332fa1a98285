import { waitFor } from '@txn/testing';
import type { LogLine, PlatformInProcess } from './platform-in-process';

// What a person checks after a saga, read from the services' own databases, logs and the PSP
// proxy's counters: the same views e2e/compensation.int-spec.ts builds inside its describe block.

/** `METHOD /route` → requests the proxy forwarded to the PSP sandbox. */
export type Routes = Readonly<Record<string, number>>;

/** The consumer outcomes (`applied`, `duplicate`, `stale`, `rejected`) a service logged for one event, in order. */
export function handledOutcomes(logs: readonly LogLine[], eventId: string): unknown[] {
  return logs.filter((line) => line.msg === 'message handled' && line.eventId === eventId).map((line) => line.outcome);
}

/** The consumer's log line follows its commit: wait for `count` of them rather than assume them. */
export function waitForHandled(logs: readonly LogLine[], eventId: string, timeout_ms: number, count = 1): Promise<unknown[]> {
  return waitFor(`${count} handled outcome(s) for ${eventId}`, () => (handledOutcomes(logs, eventId).length >= count ? handledOutcomes(logs, eventId) : undefined), timeout_ms);
}

/** Routes whose forwarded count changed between two `forwarded_by_route` snapshots, with the change. */
export function routeDelta(before: Routes, after: Routes): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [route, count] of Object.entries(after)) if (count !== (before[route] ?? 0)) delta[route] = count - (before[route] ?? 0);
  return delta;
}

/** The rows of one saga per aggregate: booking, payment (and its open PSP calls), ledger hold, escrow and entries. */
export async function aggregatesOf(platform: PlatformInProcess, bookingId: string, paymentId: string): Promise<Record<string, unknown>> {
  const booking = await platform.booking.pool.query('SELECT status, captured_minor FROM bookings WHERE booking_id = $1', [bookingId]);
  const payments = await platform.payment.pool.query('SELECT status, captured_minor, in_flight, unknown_outcome, booking_release, needs_attention FROM payments WHERE booking_id = $1', [bookingId]);
  const calls = await platform.payment.pool.query('SELECT count(*)::int AS n FROM psp_calls WHERE payment_id = $1', [paymentId]);
  const hold = await platform.ledger.pool.query('SELECT status FROM holds WHERE hold_id = $1', [paymentId]);
  const escrow = await platform.ledger.pool.query('SELECT status, captured_minor, refunded_minor FROM escrows WHERE payment_id = $1', [paymentId]);
  const entries = await platform.ledger.pool.query('SELECT entry_type FROM journal_entries WHERE booking_id = $1 ORDER BY entry_type', [bookingId]);
  const releaseRequests = await platform.ledger.pool.query('SELECT count(*)::int AS n FROM escrow_release_requests WHERE payment_id = $1', [paymentId]);
  return {
    booking: booking.rows,
    payment: payments.rows,
    pspCalls: calls.rows[0],
    hold: hold.rows,
    escrow: escrow.rows,
    entries: entries.rows.map((row: { entry_type: string }) => row.entry_type),
    releaseRequests: releaseRequests.rows[0],
  };
}
