import type { PspCall, PspOperation } from '@txn/payment-domain';
import { money } from '@txn/money';
import type { SqlTransaction } from '@txn/sql';
import { Client, type ClientConfig } from 'pg';
import type { Logger } from 'pino';
import type { CallWakeups, ClaimedCall, PspCalls } from '../application/ports';

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
}

/** PostgreSQL channel the dispatcher LISTENs on; NOTIFY is delivered at commit, which is the point. */
const PSP_CALLS_CHANNEL = 'payment_psp_calls';

/**
 * Adds calls to the work list in the caller's transaction and wakes the dispatcher once it
 * commits. A call asked for again (a re-issue after not_found) becomes available at once.
 */
async function enqueueCalls(tx: SqlTransaction, paymentId: string, calls: readonly PspCall[], causedByEventId: string | null): Promise<void> {
  if (calls.length === 0) return;
  for (const call of calls) {
    await tx.query(
      `INSERT INTO psp_calls (idempotency_key, payment_id, operation, refund_id, amount_minor, currency, psp_payment_intent_id, caused_by_event_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (idempotency_key) DO UPDATE SET available_at = now(), psp_payment_intent_id = EXCLUDED.psp_payment_intent_id, parked_at = NULL,
         caused_by_event_id = COALESCE(psp_calls.caused_by_event_id, EXCLUDED.caused_by_event_id)`,
      [call.idempotencyKey, paymentId, call.operation, call.refundId, call.amount.amountMinor.toString(), call.amount.currency, call.pspPaymentIntentId, causedByEventId],
    );
  }
  await tx.query('SELECT pg_notify($1, $2)', [PSP_CALLS_CHANNEL, paymentId]);
}

/**
 * Up to `limit` available calls, claimed by moving `available_at` past the lease: the claim
 * commits before any call is made, so no transaction stays open across the network, and a
 * dispatcher that dies mid-call leaves the row to be made again (same key) after the lease.
 */
async function claimCalls(tx: SqlTransaction, now: Date, limit: number, lease_ms: number): Promise<ClaimedCall[]> {
  const rows = await tx.query<CallRow>(
    `UPDATE psp_calls SET available_at = $2::timestamptz + make_interval(secs => $3::double precision / 1000), attempts = attempts + 1
     WHERE idempotency_key IN (
       SELECT idempotency_key FROM psp_calls WHERE parked_at IS NULL AND available_at <= $2 ORDER BY available_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING idempotency_key, payment_id, operation, refund_id, amount_minor, currency, psp_payment_intent_id, attempts, caused_by_event_id`,
    [limit, now, lease_ms],
  );
  return rows.map((row) => ({
    paymentId: row.payment_id,
    attempts: row.attempts,
    causedByEventId: row.caused_by_event_id,
    call: {
      operation: row.operation,
      idempotencyKey: row.idempotency_key,
      amount: money(BigInt(row.amount_minor), row.currency),
      pspPaymentIntentId: row.psp_payment_intent_id,
      refundId: row.refund_id,
    },
  }));
}

/** The call was answered and the answer recorded (same transaction). */
async function completeCall(tx: SqlTransaction, idempotencyKey: string): Promise<void> {
  await tx.query('DELETE FROM psp_calls WHERE idempotency_key = $1', [idempotencyKey]);
}

/** The PSP refused our request as malformed: try again after `retry_ms`, or park it for a person. */
async function deferCall(tx: SqlTransaction, idempotencyKey: string, error: string, retryAt: Date, park: boolean): Promise<void> {
  await tx.query('UPDATE psp_calls SET last_error = $2, available_at = $3, parked_at = CASE WHEN $4 THEN now() ELSE NULL END WHERE idempotency_key = $1', [
    idempotencyKey,
    error.slice(0, 1_000),
    retryAt,
    park,
  ]);
}

/** Payment's PSP call work list behind the application's port. */
export const pspCallStore: PspCalls = { enqueue: enqueueCalls, claim: claimCalls, complete: completeCall, defer: deferCall };

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
