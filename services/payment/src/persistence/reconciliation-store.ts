import type { Pool } from 'pg';
import type { SqlTransaction } from '@txn/sql';
import type { PaymentRecord } from '@txn/payment-domain';
import type { ReconciliationRecords, ReconRun, ReconWindow } from '../application/ports';

/** pg_try_advisory_lock key of the reconciliation run (any 64-bit number no other lock of payment's database uses). */
const RECON_LOCK_KEY = '7160325861227790081';

interface PaymentWindowRow {
  readonly payment_id: string;
  readonly tenant_id: string;
  readonly status: PaymentRecord['status'];
  readonly amount_minor: string;
  readonly currency: string;
  readonly psp_payment_intent_id: string | null;
  readonly refunded_minor: string;
  readonly call_in_flight: boolean;
}

async function exclusively<T>(pool: Pool, work: () => Promise<T>): Promise<T | 'BUSY'> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [RECON_LOCK_KEY]);
    if (rows[0]?.locked !== true) return 'BUSY';
    try {
      return await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [RECON_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

async function paymentsInWindow(pool: Pool, window: ReconWindow, limit: number): Promise<{ readonly payments: readonly PaymentRecord[]; readonly readAt: Date }> {
  // One statement, one snapshot: the payments and their refunds as of one instant.
  const { rows } = await pool.query<PaymentWindowRow & { read_at: Date }>(
    `SELECT p.payment_id, p.tenant_id, p.status, p.amount_minor, p.currency, p.psp_payment_intent_id,
            COALESCE((SELECT sum(r.amount_minor) FROM refunds r WHERE r.payment_id = p.payment_id AND r.status = 'SUCCEEDED'), 0)::text AS refunded_minor,
            (p.in_flight IS NOT NULL OR EXISTS (SELECT 1 FROM refunds r WHERE r.payment_id = p.payment_id AND r.status IN ('IN_FLIGHT', 'OUTCOME_UNKNOWN'))) AS call_in_flight,
            now() AS read_at
       FROM payments p
      WHERE COALESCE(p.authorization_requested_at, p.created_at) >= $1 AND COALESCE(p.authorization_requested_at, p.created_at) <= $2
      ORDER BY p.payment_id LIMIT $3`,
    [window.from, window.to, limit + 1],
  );
  const readAt = rows[0]?.read_at ?? (await pool.query<{ now: Date }>('SELECT now()')).rows[0]?.now ?? new Date();
  const payments = rows.map((row) => ({
    paymentId: row.payment_id,
    tenantId: row.tenant_id,
    status: row.status,
    amountMinor: BigInt(row.amount_minor),
    currency: row.currency,
    pspPaymentIntentId: row.psp_payment_intent_id,
    refundedMinor: BigInt(row.refunded_minor),
    callInFlight: row.call_in_flight,
  }));
  return { payments, readAt };
}

async function resolveAgreeing(tx: SqlTransaction, paymentIds: readonly string[], resolution: string): Promise<number> {
  if (paymentIds.length === 0) return 0;
  const rows = await tx.query(
    `UPDATE psp_breaks SET resolved_at = now(), resolution = $2
      WHERE payment_id = ANY($1::uuid[]) AND resolved_at IS NULL AND kind NOT IN ('DISPUTE_OPENED', 'UNKNOWN_PSP_OBJECT')
      RETURNING 1`,
    [paymentIds, resolution],
  );
  return rows.length;
}

async function recordRun(pool: Pool, run: ReconRun): Promise<void> {
  await pool.query(
    `INSERT INTO recon_runs (run_id, trigger, window_from, window_to, started_at, finished_at, outcome, psp_intents, psp_pages, payments, agreeing, in_flight,
                             findings, syncs_requested, breaks_resolved, psp_read_at, payments_read_at, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
    [run.runId, run.trigger, run.window.from, run.window.to, run.startedAt, run.finishedAt, run.outcome, run.pspIntents, run.pspPages, run.payments, run.agreeing, run.inFlight,
      run.findings, run.syncsRequested, run.breaksResolved, run.pspReadAt, run.paymentsReadAt, run.error],
  );
}

async function lastRuns(pool: Pool): Promise<{ readonly lastScheduledAt: Date | null; readonly lastSucceededAt: Date | null }> {
  const { rows } = await pool.query<{ last_scheduled_at: Date | null; last_succeeded_at: Date | null }>(
    `SELECT (SELECT max(finished_at) FROM recon_runs WHERE trigger = 'SCHEDULE') AS last_scheduled_at,
            (SELECT max(finished_at) FROM recon_runs WHERE outcome <> 'FAILED') AS last_succeeded_at`,
  );
  return { lastScheduledAt: rows[0]?.last_scheduled_at ?? null, lastSucceededAt: rows[0]?.last_succeeded_at ?? null };
}

async function claimRequest(pool: Pool, now: Date, lease_ms: number): Promise<{ readonly requestId: string; readonly window: ReconWindow } | undefined> {
  const { rows } = await pool.query<{ request_id: string; window_from: Date; window_to: Date }>(
    `UPDATE recon_requests SET claimed_until = $1::timestamptz + make_interval(secs => $2::double precision / 1000), claims = claims + 1
      WHERE request_id = (SELECT request_id FROM recon_requests WHERE run_id IS NULL AND claims < 3 AND (claimed_until IS NULL OR claimed_until < $1)
                           ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING request_id, window_from, window_to`,
    [now, lease_ms],
  );
  const row = rows[0];
  return row === undefined ? undefined : { requestId: row.request_id, window: { from: row.window_from, to: row.window_to } };
}

async function answerRequest(pool: Pool, requestId: string, runId: string): Promise<void> {
  await pool.query('UPDATE recon_requests SET run_id = $2 WHERE request_id = $1 AND run_id IS NULL', [requestId, runId]);
}

export function reconciliationStore(pool: Pool): ReconciliationRecords {
  return {
    exclusively: (work) => exclusively(pool, work),
    paymentsInWindow: (window, limit) => paymentsInWindow(pool, window, limit),
    resolveAgreeing,
    recordRun: (run) => recordRun(pool, run),
    lastRuns: () => lastRuns(pool),
    claimRequest: (now, lease_ms) => claimRequest(pool, now, lease_ms),
    answerRequest: (requestId, runId) => answerRequest(pool, requestId, runId),
  };
}
