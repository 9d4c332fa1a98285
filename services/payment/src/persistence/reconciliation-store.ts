import type { Pool, PoolClient } from 'pg';
import { checkOut } from '@txn/sql';
import type { BooksPaymentRecord, LedgerView, PaymentRecord } from '@txn/payment-domain';
import type { ReconciliationRecords, ReconRun, ReconSnapshot, ReconWindow } from '../application/ports';

/** pg_try_advisory_lock key of the reconciliation run (any 64-bit number no other lock of payment's database uses). */
const RECON_LOCK_KEY = '7160325861227790081';

interface PaymentWindowRow {
  readonly payment_id: string;
  readonly booking_id: string;
  readonly tenant_id: string;
  readonly status: PaymentRecord['status'];
  readonly amount_minor: string;
  readonly currency: string;
  readonly psp_payment_intent_id: string | null;
  readonly refunded_minor: string;
  readonly captured_minor: string | null;
  readonly disputed: boolean;
  readonly call_in_flight: boolean;
  readonly created_at: Date;
  readonly updated_at: Date;
}

interface LedgerViewRow {
  readonly payment_id: string;
  readonly entries: number;
  readonly currencies: string[];
  readonly clearing_in: string;
  readonly clearing_out: string;
  readonly suspense: string;
  readonly released: boolean;
  readonly adjusted: boolean;
}

// checkOut, not pool.connect(): this connection sits idle (checked out) while `work` runs, and a
// PostgreSQL restart then would emit 'error' on it with nobody listening, ending the process.
async function exclusively<T>(pool: Pool, work: () => Promise<T>): Promise<T | 'BUSY'> {
  const checkedOut = await checkOut(pool);
  const { client } = checkedOut;
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [RECON_LOCK_KEY]);
    if (rows[0]?.locked !== true) return 'BUSY';
    try {
      return await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [RECON_LOCK_KEY]);
    }
  } finally {
    checkedOut.release();
  }
}

const PAYMENTS_IN_WINDOW = `
  SELECT p.payment_id, p.booking_id, p.tenant_id, p.status, p.amount_minor, p.currency, p.psp_payment_intent_id, p.captured_minor::text,
         COALESCE((SELECT sum(r.amount_minor) FROM refunds r WHERE r.payment_id = p.payment_id AND r.status = 'SUCCEEDED'), 0)::text AS refunded_minor,
         (p.in_flight IS NOT NULL OR EXISTS (SELECT 1 FROM refunds r WHERE r.payment_id = p.payment_id AND r.status IN ('IN_FLIGHT', 'OUTCOME_UNKNOWN'))) AS call_in_flight,
         (p.dispute IS NOT NULL) AS disputed, p.created_at, p.updated_at
    FROM payments p
   WHERE COALESCE(p.authorization_requested_at, p.created_at) >= $1 AND COALESCE(p.authorization_requested_at, p.created_at) <= $2
   ORDER BY p.payment_id LIMIT $3`;

const LEDGER_OF_PAYMENTS = `
  SELECT e.payment_id, count(DISTINCT e.entry_id)::int AS entries, array_agg(DISTINCT e.currency) AS currencies,
         sum(e.clearing_debit_minor)::text AS clearing_in, sum(e.clearing_credit_minor)::text AS clearing_out,
         sum(e.suspense_credit_minor - e.suspense_debit_minor)::text AS suspense,
         bool_or(e.entry_type = 'ESCROW_RELEASE') AS released, bool_or(e.entry_type = 'ADJUSTMENT') AS adjusted
    FROM recon_ledger_entries e WHERE e.payment_id = ANY($1::uuid[]) GROUP BY e.payment_id`;

const LEDGER_BREAKS_OF_PAYMENTS = `
  SELECT p.payment_id, b.kind, b.code, b.fact_event_type, b.reason FROM recon_ledger_breaks b
    JOIN payments p ON p.payment_id = b.payment_id OR p.booking_id = b.booking_id
   WHERE p.payment_id = ANY($1::uuid[]) ORDER BY b.occurred_at, b.break_id`;

function paymentOf(row: PaymentWindowRow): PaymentRecord & BooksPaymentRecord {
  return {
    paymentId: row.payment_id,
    bookingId: row.booking_id,
    tenantId: row.tenant_id,
    status: row.status,
    amountMinor: BigInt(row.amount_minor),
    currency: row.currency,
    pspPaymentIntentId: row.psp_payment_intent_id,
    refundedMinor: BigInt(row.refunded_minor),
    capturedMinor: BigInt(row.captured_minor ?? '0'),
    disputed: row.disputed,
    callInFlight: row.call_in_flight,
    createdAt: row.created_at,
    changedAt: row.updated_at,
  };
}

const EMPTY_VIEW: LedgerView = { entries: 0, currencies: [], clearingInMinor: 0n, clearingOutMinor: 0n, suspenseMinor: 0n, released: false, adjusted: false, holdPlaced: false, breaks: [] };

/** What the ledger's events said of each payment: its clearing and suspense lines summed, its holds, its breaks. */
async function ledgerViews(client: PoolClient, paymentIds: readonly string[]): Promise<{ readonly views: Map<string, LedgerView>; readonly entries: number }> {
  const { rows: sums } = await client.query<LedgerViewRow>(LEDGER_OF_PAYMENTS, [paymentIds]);
  const { rows: holds } = await client.query<{ payment_id: string }>('SELECT DISTINCT payment_id FROM recon_ledger_holds WHERE payment_id = ANY($1::uuid[])', [paymentIds]);
  const { rows: breaks } = await client.query<{ payment_id: string; kind: string; code: string; fact_event_type: string; reason: string }>(LEDGER_BREAKS_OF_PAYMENTS, [paymentIds]);
  const views = new Map<string, LedgerView>();
  const viewOf = (paymentId: string): LedgerView => views.get(paymentId) ?? EMPTY_VIEW;
  for (const row of sums) {
    views.set(row.payment_id, { ...EMPTY_VIEW, entries: row.entries, currencies: row.currencies, clearingInMinor: BigInt(row.clearing_in), clearingOutMinor: BigInt(row.clearing_out), suspenseMinor: BigInt(row.suspense), released: row.released, adjusted: row.adjusted });
  }
  for (const row of holds) views.set(row.payment_id, { ...viewOf(row.payment_id), holdPlaced: true });
  for (const row of breaks) {
    const view = viewOf(row.payment_id);
    views.set(row.payment_id, { ...view, breaks: [...view.breaks, { kind: row.kind, code: row.code, factEventType: row.fact_event_type, reason: row.reason }] });
  }
  return { views, entries: sums.reduce((sum, row) => sum + row.entries, 0) };
}

/** One REPEATABLE READ snapshot: the window's payments, their refunds, and the projections of the ledger's and bookings' events. */
async function paymentsInWindow(pool: Pool, window: ReconWindow, limit: number): Promise<ReconSnapshot> {
  const checkedOut = await checkOut(pool);
  const { client } = checkedOut;
  let reusable = true;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await client.query<PaymentWindowRow>(PAYMENTS_IN_WINDOW, [window.from, window.to, limit + 1]);
    const { rows: meta } = await client.query<{ read_at: Date; views_since: Date; ledger_cutoff_at: Date | null }>(
      'SELECT now() AS read_at, (SELECT started_at FROM recon_views) AS views_since, (SELECT max(occurred_at) FROM recon_ledger_entries) AS ledger_cutoff_at',
    );
    const payments = rows.map(paymentOf);
    const { views, entries } = await ledgerViews(client, payments.map((payment) => payment.paymentId));
    const { rows: bookings } = await client.query<{ booking_id: string; status: string }>('SELECT booking_id, status FROM recon_bookings WHERE booking_id = ANY($1::uuid[])', [payments.map((payment) => payment.bookingId)]);
    await client.query('COMMIT');
    const facts = meta[0];
    if (facts === undefined) throw new Error('the snapshot did not say when it was read');
    return {
      payments,
      readAt: facts.read_at,
      ledger: views,
      bookings: new Map(bookings.map((row) => [row.booking_id, { status: row.status }])),
      ledgerEntries: entries,
      ledgerCutoffAt: facts.ledger_cutoff_at,
      viewsSince: facts.views_since,
    };
  } catch (error) {
    reusable = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    throw error;
  } finally {
    checkedOut.release(!reusable);
  }
}

async function recordRun(pool: Pool, run: ReconRun): Promise<void> {
  await pool.query(
    `INSERT INTO recon_runs (run_id, trigger, window_from, window_to, started_at, finished_at, outcome, psp_intents, psp_pages, payments, agreeing, in_flight,
                             findings, syncs_requested, breaks_resolved, psp_read_at, payments_read_at, error, ledger_entries, bookings, not_yet_judged, ledger_cutoff_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`,
    [run.runId, run.trigger, run.window.from, run.window.to, run.startedAt, run.finishedAt, run.outcome, run.pspIntents, run.pspPages, run.payments, run.agreeing, run.inFlight,
      run.findings, run.syncsRequested, run.breaksResolved, run.pspReadAt, run.paymentsReadAt, run.error, run.ledgerEntries, run.bookings, run.notYetJudged, run.ledgerCutoffAt],
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
    recordRun: (run) => recordRun(pool, run),
    lastRuns: () => lastRuns(pool),
    claimRequest: (now, lease_ms) => claimRequest(pool, now, lease_ms),
    answerRequest: (requestId, runId) => answerRequest(pool, requestId, runId),
  };
}
