import type { PspCall, PspOperation } from '@txn/payment-domain';
import { money } from '@txn/money';
import { captureTraceContext } from '@txn/outbox';
import type { SqlTransaction } from '@txn/sql';
import { Client, type ClientConfig, type Pool } from 'pg';
import type { Logger } from 'pino';
import type { CallWakeups, ClaimedCall, ParkedCalls, PspCalls } from '../application/ports';

interface CallRow {
  readonly idempotency_key: string;
  readonly payment_id: string;
  readonly operation: PspOperation;
  readonly refund_id: string | null;
  readonly amount_minor: string;
  readonly currency: string;
  readonly psp_payment_intent_id: string | null;
  readonly attempts: number;
  readonly caused_by_event_id: string | null;
  readonly traceparent: string | null;
  readonly tracestate: string | null;
}

/** PostgreSQL channel the dispatcher LISTENs on; NOTIFY is delivered at commit, which is the point. */
const PSP_CALLS_CHANNEL = 'payment_psp_calls';

/**
 * Adds calls to the work list in the caller's transaction and wakes the dispatcher once it
 * commits. A call asked for again (a re-issue after not_found) becomes available at once, unless
 * it is parked: a parked call is released by a person only (README, "Parked calls").
 */
async function enqueueCalls(tx: SqlTransaction, paymentId: string, calls: readonly PspCall[], causedByEventId: string | null): Promise<void> {
  if (calls.length === 0) return;
  // The handler's span: the dispatcher's call continues its trace.
  const trace = captureTraceContext();
  for (const call of calls) {
    await tx.query(
      `INSERT INTO psp_calls (idempotency_key, payment_id, operation, refund_id, amount_minor, currency, psp_payment_intent_id, caused_by_event_id, traceparent, tracestate)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (idempotency_key) DO UPDATE SET available_at = now(), psp_payment_intent_id = EXCLUDED.psp_payment_intent_id,
         caused_by_event_id = COALESCE(psp_calls.caused_by_event_id, EXCLUDED.caused_by_event_id),
         traceparent = COALESCE(psp_calls.traceparent, EXCLUDED.traceparent), tracestate = COALESCE(psp_calls.tracestate, EXCLUDED.tracestate)`,
      [call.idempotencyKey, paymentId, call.operation, call.refundId, call.amount.amountMinor.toString(), call.amount.currency, call.pspPaymentIntentId, causedByEventId, trace.traceparent, trace.tracestate],
    );
  }
  await tx.query('SELECT pg_notify($1, $2)', [PSP_CALLS_CHANNEL, paymentId]);
}

/**
 * Up to `limit` available calls, claimed by moving `available_at` past the lease and counting the
 * attempt: the claim commits before any call is made, so no transaction stays open across the
 * network, and a dispatcher that dies mid-call leaves the row to be made again (same key) after the
 * lease. A call with no attempt left is never claimed (parkExhaustedCalls parks it).
 */
async function claimCalls(tx: SqlTransaction, now: Date, limit: number, lease_ms: number, maxAttempts: number): Promise<ClaimedCall[]> {
  const rows = await tx.query<CallRow>(
    `UPDATE psp_calls SET available_at = $2::timestamptz + make_interval(secs => $3::double precision / 1000), attempts = attempts + 1
     WHERE idempotency_key IN (
       SELECT idempotency_key FROM psp_calls WHERE parked_at IS NULL AND available_at <= $2 AND attempts < $4 ORDER BY available_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING idempotency_key, payment_id, operation, refund_id, amount_minor, currency, psp_payment_intent_id, attempts, caused_by_event_id, traceparent, tracestate`,
    [limit, now, lease_ms, maxAttempts],
  );
  return rows.map(claimedCallOf);
}

function claimedCallOf(row: CallRow): ClaimedCall {
  return {
    paymentId: row.payment_id,
    attempts: row.attempts,
    causedByEventId: row.caused_by_event_id,
    traceContext: { traceparent: row.traceparent, tracestate: row.tracestate },
    call: {
      operation: row.operation,
      idempotencyKey: row.idempotency_key,
      amount: money(BigInt(row.amount_minor), row.currency),
      pspPaymentIntentId: row.psp_payment_intent_id,
      refundId: row.refund_id,
    },
  };
}

/** The call was answered and the answer recorded (same transaction). */
async function completeCall(tx: SqlTransaction, idempotencyKey: string): Promise<void> {
  await tx.query('DELETE FROM psp_calls WHERE idempotency_key = $1', [idempotencyKey]);
}

/** What is kept of an error on the row. */
const MAX_ERROR_LENGTH = 1_000;

/** The attempt failed: the call is available again at `retryAt` (its lease, if longer, ends early: nobody is making it). */
async function retryCallLater(tx: SqlTransaction, idempotencyKey: string, error: string, retryAt: Date): Promise<void> {
  await tx.query('UPDATE psp_calls SET last_error = $2, available_at = $3 WHERE idempotency_key = $1 AND parked_at IS NULL', [idempotencyKey, error.slice(0, MAX_ERROR_LENGTH), retryAt]);
}

/** Parked for a person: `claimCalls` never takes a row with parked_at set. */
async function parkCall(tx: SqlTransaction, idempotencyKey: string, error: string): Promise<void> {
  await tx.query('UPDATE psp_calls SET last_error = $2, parked_at = now() WHERE idempotency_key = $1 AND parked_at IS NULL', [idempotencyKey, error.slice(0, MAX_ERROR_LENGTH)]);
}

/** Calls whose lease ended after their last allowed attempt, with nothing recorded: parked instead of made again. */
async function parkExhaustedCalls(tx: SqlTransaction, now: Date, maxAttempts: number, limit: number, reason: string): Promise<ClaimedCall[]> {
  const rows = await tx.query<CallRow>(
    `UPDATE psp_calls SET parked_at = now(), last_error = left(COALESCE(last_error || '; ', '') || $4, ${MAX_ERROR_LENGTH})
     WHERE idempotency_key IN (
       SELECT idempotency_key FROM psp_calls WHERE parked_at IS NULL AND available_at <= $1 AND attempts >= $2 ORDER BY available_at LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING idempotency_key, payment_id, operation, refund_id, amount_minor, currency, psp_payment_intent_id, attempts, caused_by_event_id, traceparent, tracestate`,
    [now, maxAttempts, limit, reason],
  );
  return rows.map(claimedCallOf);
}

async function hasParkedCall(tx: SqlTransaction, paymentId: string): Promise<boolean> {
  const rows = await tx.query('SELECT 1 FROM psp_calls WHERE payment_id = $1 AND parked_at IS NOT NULL LIMIT 1', [paymentId]);
  return rows.length > 0;
}

/** Payment's PSP call work list behind the application's port. */
export const pspCallStore: PspCalls = {
  enqueue: enqueueCalls,
  claim: claimCalls,
  complete: completeCall,
  retryLater: retryCallLater,
  park: parkCall,
  parkExhausted: parkExhaustedCalls,
  hasParked: hasParkedCall,
};

/** Parked calls by operation, read at scrape time (bounded: one row per operation). */
export function parkedCallsOn(pool: Pool): ParkedCalls {
  return {
    async countByOperation() {
      const { rows } = await pool.query<{ operation: string; n: number }>('SELECT operation, count(*)::int AS n FROM psp_calls WHERE parked_at IS NOT NULL GROUP BY operation');
      return new Map(rows.map((row) => [row.operation, row.n]));
    },
  };
}

/**
 * The dispatcher's wake-ups: LISTEN on the channel the enqueuing commit notifies, on a connection
 * of its own (kept apart from the pool). A lost connection is logged and re-made on the next
 * `listen` (the dispatcher polls meanwhile).
 */
export function callNotifications(database: ClientConfig, logger: Pick<Logger, 'warn'>): CallWakeups {
  let listener: Client | undefined;
  return {
    async listen(wake: () => void): Promise<void> {
      if (listener !== undefined) return;
      const client = new Client(database);
      client.on('notification', () => wake());
      client.on('error', (error) => {
        logger.warn({ errorClass: error.name, error: error.message }, 'PSP call listener lost its connection; polling until it reconnects');
        if (listener === client) listener = undefined;
        client.end().catch(() => undefined);
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${PSP_CALLS_CHANNEL}`);
        listener = client;
      } catch (error) {
        await client.end().catch(() => undefined);
        logger.warn({ errorClass: (error as Error).name, error: (error as Error).message }, 'PSP call listener could not connect; polling');
      }
    },
    async stop(): Promise<void> {
      const client = listener;
      listener = undefined;
      await client?.end().catch(() => undefined);
    },
  };
}
