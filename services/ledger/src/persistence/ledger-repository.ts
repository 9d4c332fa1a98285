import { type SqlTransaction } from '@txn/sql';
import {
  admit,
  classifyRepost,
  expireHold as expireHoldRule,
  placeHold as placeHoldRule,
  postEntry as validateEntry,
  postHold as postHoldRule,
  voidHold as voidHoldRule,
  type Hold,
  type HoldChange,
  type JournalEntry,
  type PlaceHoldInput,
  type PostHoldInput,
} from '@txn/ledger-domain';
import { applied, duplicate, isUuid, refusal, refusalOf, rejected, type Written } from '../domain/refusal';
import { lockBalances, writeBalances } from './balance-store';
import { ENTRY_COLUMNS, entryOf, HOLD_COLUMNS, holdOf, normalisedEntry, type EntryRow, type HoldRow, type LineRow, type StoredHold } from './rows';

/**
 * The journal, holds and balances in PostgreSQL. Every function writes through the caller's
 * transaction (with the inbox row and the outbox rows of the same message) and never commits.
 * The rules are the domain's (@txn/ledger-domain); this module loads, locks and stores.
 *
 * Locks, always in this order: the hold (or escrow) row, then balance rows in account-id order.
 */

export type HoldWrite = Written<HoldChange, StoredHold>;

export async function loadEntry(tx: SqlTransaction, entryId: string): Promise<JournalEntry | undefined> {
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

function checkEntryIds(entry: JournalEntry): string | null {
  for (const id of [entry.entryId, entry.reversesEntryId, entry.paymentId, entry.bookingId]) {
    if (id !== null && !isUuid(id)) return id;
  }
  return null;
}

function repost(existing: JournalEntry, candidate: JournalEntry): Written<JournalEntry> {
  const verdict = classifyRepost(existing, candidate);
  if (!verdict.ok) return rejected(refusalOf(verdict.error));
  // 'new' cannot happen: `existing` is defined.
  return duplicate(existing);
}

/** Inserts the header and its lines in one statement; false if an entry with this id exists. */
async function insertEntry(tx: SqlTransaction, entry: JournalEntry): Promise<boolean> {
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
  return rows.length > 0;
}

/**
 * Writes a balanced entry and the balances it moves, or refuses it. Idempotent by entry id: the
 * same entry again is a `duplicate` (nothing written), another entry under the same id is refused
 * (DUPLICATE_CONFLICT). Accounts are created on first use.
 */
export async function postEntry(tx: SqlTransaction, entry: JournalEntry): Promise<Written<JournalEntry>> {
  const valid = validateEntry(entry);
  if (!valid.ok) return rejected(refusalOf(valid.error));
  const badId = checkEntryIds(valid.value);
  if (badId !== null) return rejected(refusal('INVALID_ENTRY', `"${badId}" is not a UUID (entries are keyed by event ids)`));
  const candidate = normalisedEntry(valid.value);
  const existing = await loadEntry(tx, candidate.entryId);
  if (existing !== undefined) return repost(existing, candidate);
  const locked = await lockBalances(tx, candidate.lines.map((line) => line.accountId));
  if ('refusal' in locked) return rejected(locked.refusal);
  const admitted = admit(locked.balances, candidate);
  if (!admitted.ok) return rejected(refusalOf(admitted.error));
  if (!(await insertEntry(tx, candidate))) {
    // Written by a transaction that committed while this one waited for the balance locks.
    const winner = await loadEntry(tx, candidate.entryId);
    if (winner === undefined) throw new Error(`entry ${candidate.entryId} conflicted on insert but cannot be read`);
    return repost(winner, candidate);
  }
  await writeBalances(tx, locked.balances, admitted.value);
  return applied(candidate);
}

/** The hold, locked FOR UPDATE until the end of the caller's transaction. */
export async function lockHold(tx: SqlTransaction, holdId: string): Promise<StoredHold | undefined> {
  if (!isUuid(holdId)) return undefined;
  const [row] = await tx.query<HoldRow>(`SELECT ${HOLD_COLUMNS} FROM holds WHERE hold_id = $1 FOR UPDATE`, [holdId]);
  return row === undefined ? undefined : holdOf(row);
}

async function readHold(tx: SqlTransaction, holdId: string): Promise<StoredHold | undefined> {
  const [row] = await tx.query<HoldRow>(`SELECT ${HOLD_COLUMNS} FROM holds WHERE hold_id = $1`, [holdId]);
  return row === undefined ? undefined : holdOf(row);
}

function sameHold(a: Hold, b: Hold): boolean {
  return (
    a.holdId.toLowerCase() === b.holdId.toLowerCase() &&
    a.debitAccountId === b.debitAccountId &&
    a.creditAccountId === b.creditAccountId &&
    a.amount.currency === b.amount.currency &&
    a.amount.amountMinor === b.amount.amountMinor &&
    (a.expiresAt?.getTime() ?? null) === (b.expiresAt?.getTime() ?? null) &&
    (a.paymentId?.toLowerCase() ?? null) === (b.paymentId?.toLowerCase() ?? null) &&
    (a.bookingId?.toLowerCase() ?? null) === (b.bookingId?.toLowerCase() ?? null)
  );
}

function replace(stored: StoredHold, candidate: Hold): HoldWrite {
  if (sameHold(stored.hold, candidate)) return duplicate(stored);
  return rejected(refusal('DUPLICATE_CONFLICT', `hold ${candidate.holdId} exists with different content`));
}

async function insertHold(tx: SqlTransaction, hold: Hold): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO holds (hold_id, debit_account_id, credit_account_id, currency, amount_minor, expires_at, status, reason, payment_id, booking_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (hold_id) DO NOTHING
     RETURNING hold_id`,
    [hold.holdId, hold.debitAccountId, hold.creditAccountId, hold.amount.currency, hold.amount.amountMinor.toString(), hold.expiresAt, hold.status, hold.reason, hold.paymentId, hold.bookingId],
  );
  return rows.length > 0;
}

async function closeHold(tx: SqlTransaction, hold: Hold, closedByEventId: string): Promise<void> {
  const rows = await tx.query(
    `UPDATE holds SET status = $2, reason = $3, posted_amount_minor = $4, entry_id = $5, closed_by_event_id = $6, updated_at = now()
      WHERE hold_id = $1 AND status = 'PENDING'
     RETURNING hold_id`,
    [hold.holdId, hold.status, hold.reason, hold.postedAmountMinor?.toString() ?? null, hold.entryId, closedByEventId],
  );
  if (rows.length !== 1) throw new Error(`hold ${hold.holdId} was not pending when closed (was it locked first?)`);
}

/**
 * Stores one step of a hold's life: its entry (if any), the hold row and the balances, after the
 * domain admitted it against the locked balances. `closedByEventId` is required to close a hold.
 */
export async function writeHoldChange(tx: SqlTransaction, change: HoldChange, closedByEventId: string | null): Promise<HoldWrite> {
  const entry = change.entry === null ? null : normalisedEntry(change.entry);
  if (entry !== null) {
    const badId = checkEntryIds(entry);
    if (badId !== null) return rejected(refusal('INVALID_ENTRY', `"${badId}" is not a UUID (entries are keyed by event ids)`));
    const existing = await loadEntry(tx, entry.entryId);
    if (existing !== undefined) {
      return rejected(refusal('DUPLICATE_CONFLICT', `entry ${entry.entryId} already exists; hold ${change.after.holdId} cannot post under its id`));
    }
  }
  const accounts = [change.after.debitAccountId, change.after.creditAccountId, ...(entry?.lines.map((line) => line.accountId) ?? [])];
  const locked = await lockBalances(tx, accounts);
  if ('refusal' in locked) return rejected(locked.refusal);
  const admitted = admit(locked.balances, change);
  if (!admitted.ok) return rejected(refusalOf(admitted.error));
  if (change.before === null) {
    if (!(await insertHold(tx, change.after))) {
      const winner = await readHold(tx, change.after.holdId);
      if (winner === undefined) throw new Error(`hold ${change.after.holdId} conflicted on insert but cannot be read`);
      return replace(winner, change.after);
    }
  } else {
    if (closedByEventId === null || !isUuid(closedByEventId)) throw new Error(`closing hold ${change.after.holdId} needs the id of the event that closes it`);
    if (entry !== null && !(await insertEntry(tx, entry))) {
      throw new Error(`entry ${entry.entryId} appeared while hold ${change.after.holdId} was locked`);
    }
    await closeHold(tx, change.after, closedByEventId);
  }
  await writeBalances(tx, locked.balances, admitted.value);
  return applied({ ...change, entry });
}

/** A new pending hold. Idempotent by hold id: the same hold again is a duplicate. */
export async function placeHold(tx: SqlTransaction, input: PlaceHoldInput, now: Date): Promise<HoldWrite> {
  if (!isUuid(input.holdId)) return rejected(refusal('INVALID_ENTRY', `hold id "${input.holdId}" is not a UUID`));
  const change = placeHoldRule(input, now);
  const existing = await readHold(tx, input.holdId);
  if (existing !== undefined) {
    // Compare with what this input would have placed; a refused input cannot be the stored hold.
    return change.ok ? replace(existing, change.value.after) : rejected(refusalOf(change.error));
  }
  if (!change.ok) return rejected(refusalOf(change.error));
  return writeHoldChange(tx, change.value, null);
}

/** Posts a pending hold (journals `input.amountMinor`, releases the rest). Idempotent by entry id. */
export async function postHold(tx: SqlTransaction, holdId: string, input: PostHoldInput): Promise<HoldWrite> {
  const stored = await lockHold(tx, holdId);
  if (stored === undefined) return rejected(refusal('HOLD_NOT_FOUND', `no hold ${holdId}`));
  if (stored.hold.status === 'POSTED' && stored.hold.entryId === input.entryId.toLowerCase()) return duplicate(stored);
  const change = postHoldRule(stored.hold, input);
  if (!change.ok) return rejected(refusalOf(change.error));
  return writeHoldChange(tx, change.value, input.entryId);
}

/** Voids a pending hold; nothing is journaled. Idempotent by the voiding event's id. */
export async function voidHold(tx: SqlTransaction, holdId: string, input: { readonly eventId: string; readonly reason: string; readonly now: Date }): Promise<HoldWrite> {
  const stored = await lockHold(tx, holdId);
  if (stored === undefined) return rejected(refusal('HOLD_NOT_FOUND', `no hold ${holdId}`));
  if (stored.hold.status === 'VOIDED' && stored.closedByEventId === input.eventId.toLowerCase()) return duplicate(stored);
  const change = voidHoldRule(stored.hold, input.reason, input.now);
  if (!change.ok) return rejected(refusalOf(change.error));
  return writeHoldChange(tx, change.value, input.eventId);
}

/** Voids a lapsed hold with reason HOLD_EXPIRED (for the expiry sweeper). */
export async function expireHold(tx: SqlTransaction, holdId: string, input: { readonly eventId: string; readonly now: Date }): Promise<HoldWrite> {
  const stored = await lockHold(tx, holdId);
  if (stored === undefined) return rejected(refusal('HOLD_NOT_FOUND', `no hold ${holdId}`));
  if (stored.hold.status === 'VOIDED' && stored.closedByEventId === input.eventId.toLowerCase()) return duplicate(stored);
  const change = expireHoldRule(stored.hold, input.now);
  if (!change.ok) return rejected(refusalOf(change.error));
  return writeHoldChange(tx, change.value, input.eventId);
}

/**
 * Up to `limit` pending holds whose deadline is at or before `dueAt`, oldest first, locked FOR
 * UPDATE SKIP LOCKED: sweepers of several instances take disjoint holds, and a hold a handler is
 * deciding right now is left for the next sweep instead of waited for.
 */
export async function lockDueHolds(tx: SqlTransaction, dueAt: Date, limit: number): Promise<StoredHold[]> {
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
