import type { AccountBalance, Balances, BreakKind, Escrow, Hold, JournalEntry, LedgerBreak } from '@txn/ledger-domain';
import type { SqlTransaction } from '@txn/sql';
import type { Pool } from 'pg';
import type { ChartAccount, LedgerBook, LedgerWrite, OpenBreaks, ReleaseRequest, StoredEscrow, StoredHold, WaitingReleases } from '../application/ports';
import { BALANCE_COLUMNS, balanceOf, BREAK_COLUMNS, breakOfRow, ENTRY_COLUMNS, entryOf, ESCROW_COLUMNS, escrowOf, HOLD_COLUMNS, holdOf, type BalanceRow, type BreakRow, type EntryRow, type EscrowRow, type HoldRow, type LineRow } from './rows';

/**
 * The journal, holds, escrows and balances in PostgreSQL behind the application's port. Every
 * function works in the caller's transaction (with the inbox row and the outbox rows of the same
 * message) and never commits. It stores what was decided; it decides nothing. A row a concurrent
 * transaction wrote while this one waited for its locks makes the write throw
 * (ConcurrentWriteError): the message is retried and decided again against what is stored.
 *
 * Append-only in the database itself: journal rows cannot be updated or deleted (migration 002).
 */

/** A row this decision was about to create exists: someone else wrote it meanwhile. */
export class ConcurrentWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConcurrentWriteError';
  }
}

async function loadEntry(tx: SqlTransaction, entryId: string): Promise<JournalEntry | undefined> {
  const rows = await tx.query<EntryRow & Omit<LineRow, 'entry_id'>>(
    `SELECT ${ENTRY_COLUMNS.split(', ').map((column) => `e.${column}`).join(', ')}, l.account_id, l.side, l.amount_minor, l.currency
       FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.entry_id
      WHERE e.entry_id = $1
      ORDER BY l.line_no`,
    [entryId],
  );
  const first = rows[0];
  if (first === undefined) return undefined;
  return entryOf(first, rows.map((row) => ({ ...row, entry_id: first.entry_id })));
}

/**
 * A transaction-scoped advisory lock on the payment: released at commit or rollback, so it cannot
 * leak. Keyed by a 64-bit hash of the id in the ledger's own namespace; a collision only makes
 * two payments queue behind each other, never lets two decisions on one payment run at once.
 */
async function lockPayment(tx: SqlTransaction, paymentId: string): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('ledger.payment:' || $1::text, 0))", [paymentId.toLowerCase()]);
}

async function readBreak(tx: SqlTransaction, breakId: string): Promise<LedgerBreak | undefined> {
  const [row] = await tx.query<BreakRow>(`SELECT ${BREAK_COLUMNS} FROM breaks WHERE break_id = $1`, [breakId.toLowerCase()]);
  return row === undefined ? undefined : breakOfRow(row);
}

async function lockHold(tx: SqlTransaction, holdId: string): Promise<StoredHold | undefined> {
  const [row] = await tx.query<HoldRow>(`SELECT ${HOLD_COLUMNS} FROM holds WHERE hold_id = $1 FOR UPDATE`, [holdId]);
  return row === undefined ? undefined : holdOf(row);
}

async function readHold(tx: SqlTransaction, holdId: string): Promise<StoredHold | undefined> {
  const [row] = await tx.query<HoldRow>(`SELECT ${HOLD_COLUMNS} FROM holds WHERE hold_id = $1`, [holdId]);
  return row === undefined ? undefined : holdOf(row);
}

async function lockEscrow(tx: SqlTransaction, escrowId: string): Promise<StoredEscrow | undefined> {
  const [row] = await tx.query<EscrowRow>(`SELECT ${ESCROW_COLUMNS} FROM escrows WHERE escrow_id = $1 FOR UPDATE`, [escrowId]);
  return row === undefined ? undefined : escrowOf(row);
}

async function lockReleaseRequest(tx: SqlTransaction, paymentId: string): Promise<ReleaseRequest | undefined> {
  const [row] = await tx.query<{ payment_id: string; booking_id: string; entry_id: string; reason: string }>(
    'SELECT payment_id, booking_id, entry_id, reason FROM escrow_release_requests WHERE payment_id = $1 FOR UPDATE',
    [paymentId],
  );
  return row === undefined ? undefined : { paymentId: row.payment_id, bookingId: row.booking_id, entryId: row.entry_id, reason: row.reason };
}

/**
 * Creates the accounts that do not exist yet, then locks their balance rows in one sorted pass.
 * Create first, lock second, in two statements: the insert takes no row locks (ON CONFLICT DO
 * NOTHING), so nothing is held while it may wait for another transaction creating the same
 * account, and the locks are then taken in account-id order (the sort is below the locking step).
 */
async function lockBalances(tx: SqlTransaction, accounts: readonly ChartAccount[]): Promise<Balances> {
  const sorted = [...accounts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // One statement: the balances insert sees the accounts the CTE inserted when its foreign key is checked.
  await tx.query(
    `WITH wanted AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
         AS w(account_id, tenant_id, code, currency, account_type, normal_side, account_limit)
        ORDER BY account_id
     ), new_accounts AS (
       INSERT INTO accounts (account_id, tenant_id, code, currency, account_type, normal_side, account_limit)
       SELECT * FROM wanted
       ON CONFLICT (account_id) DO NOTHING
     )
     INSERT INTO account_balances (account_id, currency, account_limit)
     SELECT account_id, currency, account_limit FROM wanted
     ON CONFLICT (account_id) DO NOTHING`,
    [sorted.map((a) => a.id), sorted.map((a) => a.tenantId), sorted.map((a) => a.code), sorted.map((a) => a.currency), sorted.map((a) => a.type), sorted.map((a) => a.normalSide), sorted.map((a) => a.limit)],
  );
  const ids = sorted.map((a) => a.id);
  const rows = await tx.query<BalanceRow>(`SELECT ${BALANCE_COLUMNS} FROM account_balances WHERE account_id = ANY($1::text[]) ORDER BY account_id FOR UPDATE`, [ids]);
  const balances = new Map<string, AccountBalance>(rows.map((row) => [row.account_id, balanceOf(row)]));
  if (balances.size !== new Set(ids).size) throw new Error(`lockBalances: ${ids.length - balances.size} balance rows missing after creating them`);
  return balances;
}

async function lockDueHolds(tx: SqlTransaction, dueAt: Date, limit: number): Promise<StoredHold[]> {
  const rows = await tx.query<HoldRow>(
    `SELECT ${HOLD_COLUMNS} FROM holds
      WHERE status = 'PENDING' AND expires_at IS NOT NULL AND expires_at <= $1
      ORDER BY expires_at
      LIMIT $2
      FOR UPDATE SKIP LOCKED`,
    [dueAt, limit],
  );
  return rows.map(holdOf);
}

/** The header and its lines in one statement; a conflict on the id means a concurrent writer won. */
async function insertEntry(tx: SqlTransaction, entry: JournalEntry): Promise<void> {
  const rows = await tx.query<{ entry_id: string }>(
    `WITH header AS (
       INSERT INTO journal_entries (entry_id, entry_type, reason, reverses_entry_id, payment_id, booking_id, line_count)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (entry_id) DO NOTHING
       RETURNING entry_id
     )
     INSERT INTO journal_lines (entry_id, line_no, account_id, side, amount_minor, currency)
     SELECT header.entry_id, l.line_no - 1, l.account_id, l.side, l.amount_minor, l.currency
       FROM header, unnest($8::text[], $9::text[], $10::bigint[], $11::text[]) WITH ORDINALITY AS l(account_id, side, amount_minor, currency, line_no)
     RETURNING entry_id`,
    [
      entry.entryId,
      entry.entryType,
      entry.reason,
      entry.reversesEntryId,
      entry.paymentId,
      entry.bookingId,
      entry.lines.length,
      entry.lines.map((line) => line.accountId),
      entry.lines.map((line) => line.side),
      entry.lines.map((line) => line.amount.amountMinor.toString()),
      entry.lines.map((line) => line.amount.currency),
    ],
  );
  if (rows.length === 0) throw new ConcurrentWriteError(`entry ${entry.entryId} was written by a concurrent transaction`);
}

async function insertHold(tx: SqlTransaction, hold: Hold): Promise<void> {
  const rows = await tx.query(
    `INSERT INTO holds (hold_id, debit_account_id, credit_account_id, currency, amount_minor, expires_at, status, reason, payment_id, booking_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (hold_id) DO NOTHING
     RETURNING hold_id`,
    [hold.holdId, hold.debitAccountId, hold.creditAccountId, hold.amount.currency, hold.amount.amountMinor.toString(), hold.expiresAt, hold.status, hold.reason, hold.paymentId, hold.bookingId],
  );
  if (rows.length === 0) throw new ConcurrentWriteError(`hold ${hold.holdId} was placed by a concurrent transaction`);
}

async function closeHold(tx: SqlTransaction, hold: Hold, closedByEventId: string | null): Promise<void> {
  if (closedByEventId === null) throw new Error(`closing hold ${hold.holdId} needs the id of the event that closes it`);
  const rows = await tx.query(
    `UPDATE holds SET status = $2, reason = $3, posted_amount_minor = $4, entry_id = $5, closed_by_event_id = $6, updated_at = now()
      WHERE hold_id = $1 AND status = 'PENDING'
     RETURNING hold_id`,
    [hold.holdId, hold.status, hold.reason, hold.postedAmountMinor?.toString() ?? null, hold.entryId, closedByEventId],
  );
  if (rows.length !== 1) throw new Error(`hold ${hold.holdId} was not pending when closed (was it locked first?)`);
}

function escrowValues(escrow: Escrow): unknown[] {
  return [escrow.status, escrow.refundedMinor.toString(), escrow.refundedPlatformFeeMinor.toString(), escrow.releaseEntryId?.toLowerCase() ?? null, escrow.disputedAt];
}

async function insertEscrow(tx: SqlTransaction, { escrow, version }: StoredEscrow): Promise<void> {
  const { split } = escrow;
  await tx.query(
    `INSERT INTO escrows (escrow_id, tenant_id, payment_id, booking_id, currency, captured_minor, platform_fee_minor, merchant_share_minor, fee_bps,
                          fee_rule, fee_schedule_version, capture_entry_id, version, status, refunded_minor, refunded_platform_fee_minor, release_entry_id, disputed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
    [
      escrow.escrowId,
      escrow.tenantId,
      escrow.paymentId,
      escrow.bookingId,
      split.captured.currency,
      split.captured.amountMinor.toString(),
      split.platformFee.amountMinor.toString(),
      split.merchantShare.amountMinor.toString(),
      split.feeBps,
      split.feeRule,
      split.feeScheduleVersion,
      escrow.captureEntryId.toLowerCase(),
      version.toString(),
      ...escrowValues(escrow),
    ],
  );
}

/** The escrow's new state; `before` guards against a write without the row lock. */
async function updateEscrow(tx: SqlTransaction, before: StoredEscrow, after: StoredEscrow): Promise<void> {
  const rows = await tx.query(
    `UPDATE escrows SET status = $4, refunded_minor = $5, refunded_platform_fee_minor = $6, release_entry_id = $7, disputed_at = $8, version = $3, updated_at = now()
      WHERE escrow_id = $1 AND version = $2
     RETURNING version`,
    [after.escrow.escrowId, before.version.toString(), after.version.toString(), ...escrowValues(after.escrow)],
  );
  if (rows.length !== 1) throw new Error(`escrow ${after.escrow.escrowId} changed under its row lock (version ${before.version})`);
}

async function putReleaseRequest(tx: SqlTransaction, request: ReleaseRequest): Promise<void> {
  const rows = await tx.query('INSERT INTO escrow_release_requests (payment_id, entry_id, booking_id, reason) VALUES ($1, $2, $3, $4) ON CONFLICT (payment_id) DO NOTHING RETURNING payment_id', [
    request.paymentId,
    request.entryId,
    request.bookingId,
    request.reason,
  ]);
  if (rows.length === 0) throw new ConcurrentWriteError(`a release for payment ${request.paymentId} was requested by a concurrent transaction`);
}

const changed = (before: AccountBalance | undefined, after: AccountBalance): boolean =>
  before === undefined ||
  before.debitsPostedMinor !== after.debitsPostedMinor ||
  before.creditsPostedMinor !== after.creditsPostedMinor ||
  before.debitsPendingMinor !== after.debitsPendingMinor ||
  before.creditsPendingMinor !== after.creditsPendingMinor;

/** Writes the counters that changed (absolute values: the rows are locked by this transaction). */
async function writeBalances(tx: SqlTransaction, before: Balances, after: Balances): Promise<void> {
  const moved = [...after.values()].filter((balance) => changed(before.get(balance.accountId), balance));
  if (moved.length === 0) return;
  const updated = await tx.query<{ account_id: string }>(
    `UPDATE account_balances AS b
        SET debits_posted_minor = u.dp, credits_posted_minor = u.cp,
            debits_pending_minor = u.dq, credits_pending_minor = u.cq, updated_at = now()
       FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) AS u(account_id, dp, cp, dq, cq)
      WHERE b.account_id = u.account_id
     RETURNING b.account_id`,
    [
      moved.map((b) => b.accountId),
      moved.map((b) => b.debitsPostedMinor.toString()),
      moved.map((b) => b.creditsPostedMinor.toString()),
      moved.map((b) => b.debitsPendingMinor.toString()),
      moved.map((b) => b.creditsPendingMinor.toString()),
    ],
  );
  if (updated.length !== moved.length) throw new Error(`writeBalances: ${moved.length} balances changed but ${updated.length} rows were updated (were they locked first?)`);
}

/** One break per fact: a second under the same id means a concurrent writer raised it first. */
async function insertBreak(tx: SqlTransaction, raised: LedgerBreak): Promise<void> {
  const rows = await tx.query(
    `INSERT INTO breaks (${BREAK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (break_id) DO NOTHING RETURNING break_id`,
    [
      raised.breakId,
      raised.tenantId,
      raised.kind,
      raised.code,
      raised.reason,
      raised.factEventType,
      raised.paymentId,
      raised.bookingId,
      raised.amount?.amountMinor.toString() ?? null,
      raised.amount?.currency ?? null,
      raised.suspenseEntryId,
    ],
  );
  if (rows.length === 0) throw new ConcurrentWriteError(`break ${raised.breakId} was raised by a concurrent transaction`);
}

/** A decision's writes, entries first (holds, escrows and breaks refer to them), balances last. */
async function write(tx: SqlTransaction, decided: LedgerWrite): Promise<void> {
  for (const entry of decided.entries) await insertEntry(tx, entry);
  for (const { change, closedByEventId } of decided.holds) {
    if (change.before === null) await insertHold(tx, change.after);
    else await closeHold(tx, change.after, closedByEventId);
  }
  for (const { before, after } of decided.escrows) {
    if (before === undefined) await insertEscrow(tx, after);
    else await updateEscrow(tx, before, after);
  }
  if (decided.releaseRequests.taken.length > 0) await tx.query('DELETE FROM escrow_release_requests WHERE payment_id = ANY($1::uuid[])', [decided.releaseRequests.taken]);
  for (const request of decided.releaseRequests.put) await putReleaseRequest(tx, request);
  for (const raised of decided.breaks) await insertBreak(tx, raised);
  await writeBalances(tx, decided.balances.before, decided.balances.after);
}

/** The ledger's database behind the application's port. */
export const ledgerStore: LedgerBook = { lockPayment, lockHold, readHold, lockEscrow, loadEntry, lockReleaseRequest, lockBalances, lockDueHolds, readBreak, write };

/** Release requests waiting, read at scrape time: one aggregate row (the table's size is the number waiting). */
export function waitingReleasesOn(pool: Pool): WaitingReleases {
  return {
    async count() {
      const { rows } = await pool.query<{ n: number; oldest_s: number | null }>(
        'SELECT count(*)::int AS n, extract(epoch FROM now() - min(requested_at))::float8 AS oldest_s FROM escrow_release_requests',
      );
      return { waiting: rows[0]?.n ?? 0, oldestAge_s: rows[0]?.oldest_s ?? 0 };
    },
  };
}

/** Open breaks by kind, read at scrape time (a partial index keeps it to the open ones). */
export function openBreaksOn(pool: Pool): OpenBreaks {
  return {
    async countByKind() {
      const { rows } = await pool.query<{ kind: BreakKind; n: number }>("SELECT kind, count(*)::int AS n FROM breaks WHERE status = 'OPEN' GROUP BY kind");
      return new Map(rows.map((row) => [row.kind, row.n]));
    },
  };
}

/** The open breaks a person reads, oldest first, bounded. */
export async function listOpenBreaks(pool: Pool, limit: number): Promise<(LedgerBreak & { readonly raisedAt: Date })[]> {
  const { rows } = await pool.query<BreakRow & { raised_at: Date }>(`SELECT ${BREAK_COLUMNS}, raised_at FROM breaks WHERE status = 'OPEN' ORDER BY raised_at, break_id LIMIT $1`, [limit]);
  return rows.map((row) => ({ ...breakOfRow(row), raisedAt: row.raised_at }));
}
