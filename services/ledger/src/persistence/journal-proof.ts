import type { Pool, PoolClient } from 'pg';
import { checkOut, fromPgClient, type SqlTransaction } from '@txn/sql';
import type { AccountBalance, Hold, JournalEntry } from '@txn/ledger-domain';
import type { JournalProof, LedgerDiscrepancy, ProveJournal } from '../application/verify-books/verify-books';
import { BALANCE_COLUMNS, balanceOf, currencyOf, ENTRY_COLUMNS, entryOf, HOLD_COLUMNS, holdOf, LINE_COLUMNS, type BalanceRow, type EntryRow, type HoldRow, type LineRow } from './rows';

/**
 * The SQL half of the ledger's proof (application/verify-books): over the whole journal, one
 * keyset page at a time (memory bounded by the page size, whatever the journal's size), inside one
 * REPEATABLE READ snapshot so that writes going on meanwhile do not show up as false
 * discrepancies; and, on a small ledger, the journal itself for the domain's own verify.
 */

/** Bounds each page's statement, not the whole run (which grows with the journal). */
export const VERIFY_STATEMENT_TIMEOUT_MS = 60_000;

/** What the SQL pass found, bounded: past `max` the caller is told there were more. */
class Findings {
  readonly list: LedgerDiscrepancy[] = [];
  constructor(private readonly max: number) {}
  add(_source: 'sql', discrepancy: LedgerDiscrepancy): void {
    if (this.list.length < this.max) this.list.push(discrepancy);
  }
}

interface AccountCheckRow {
  readonly account_id: string;
  readonly currency: string;
  readonly has_balance: boolean;
  readonly balance_currency: string | null;
  readonly actual_dp: string;
  readonly actual_cp: string;
  readonly actual_dq: string;
  readonly actual_cq: string;
  readonly expected_dp: string;
  readonly expected_cp: string;
  readonly expected_dq: string;
  readonly expected_cq: string;
}

const FIELD_COLUMNS = [
  ['debitsPostedMinor', 'dp'],
  ['creditsPostedMinor', 'cp'],
  ['debitsPendingMinor', 'dq'],
  ['creditsPendingMinor', 'cq'],
] as const;

/** Every account (each line and hold references one), page by page, its counters against its lines and holds. */
async function checkAccounts(tx: SqlTransaction, pageSize: number, findings: Findings): Promise<number> {
  let after = '';
  let checked = 0;
  for (;;) {
    const rows = await tx.query<AccountCheckRow>(
      `WITH page AS (
         SELECT account_id, currency FROM accounts WHERE account_id > $1 ORDER BY account_id LIMIT $2
       ), posted AS (
         SELECT l.account_id,
                coalesce(sum(l.amount_minor) FILTER (WHERE l.side = 'DEBIT'), 0) AS debits,
                coalesce(sum(l.amount_minor) FILTER (WHERE l.side = 'CREDIT'), 0) AS credits
           FROM journal_lines l JOIN page p ON p.account_id = l.account_id
          GROUP BY l.account_id
       ), pending_debits AS (
         SELECT h.debit_account_id AS account_id, sum(h.amount_minor) AS amount
           FROM holds h JOIN page p ON p.account_id = h.debit_account_id
          WHERE h.status = 'PENDING' GROUP BY h.debit_account_id
       ), pending_credits AS (
         SELECT h.credit_account_id AS account_id, sum(h.amount_minor) AS amount
           FROM holds h JOIN page p ON p.account_id = h.credit_account_id
          WHERE h.status = 'PENDING' GROUP BY h.credit_account_id
       )
       SELECT p.account_id, p.currency, b.account_id IS NOT NULL AS has_balance, b.currency AS balance_currency,
              coalesce(b.debits_posted_minor, 0)::text AS actual_dp, coalesce(b.credits_posted_minor, 0)::text AS actual_cp,
              coalesce(b.debits_pending_minor, 0)::text AS actual_dq, coalesce(b.credits_pending_minor, 0)::text AS actual_cq,
              coalesce(po.debits, 0)::text AS expected_dp, coalesce(po.credits, 0)::text AS expected_cp,
              coalesce(pd.amount, 0)::text AS expected_dq, coalesce(pc.amount, 0)::text AS expected_cq
         FROM page p
         LEFT JOIN account_balances b ON b.account_id = p.account_id
         LEFT JOIN posted po ON po.account_id = p.account_id
         LEFT JOIN pending_debits pd ON pd.account_id = p.account_id
         LEFT JOIN pending_credits pc ON pc.account_id = p.account_id
        ORDER BY p.account_id`,
      [after, pageSize],
    );
    for (const row of rows) {
      if (row.balance_currency !== null && row.balance_currency !== row.currency) {
        findings.add('sql', { kind: 'CURRENCY_MISMATCH', accountId: row.account_id, expected: currencyOf(row.currency), actual: currencyOf(row.balance_currency) });
      }
      for (const [field, column] of FIELD_COLUMNS) {
        const expectedMinor = BigInt(row[`expected_${column}`]);
        const actualMinor = BigInt(row[`actual_${column}`]);
        if (expectedMinor !== actualMinor) findings.add('sql', { kind: 'BALANCE_MISMATCH', accountId: row.account_id, field, expectedMinor, actualMinor });
      }
    }
    checked += rows.length;
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < pageSize) return checked;
    after = last.account_id;
  }
}

/** Every entry, page by page: all its lines present, debits equal credits per currency. */
async function checkEntries(tx: SqlTransaction, pageSize: number, findings: Findings): Promise<number> {
  let after: string | null = null;
  let checked = 0;
  for (;;) {
    const rows: { entry_id: string; line_count: number; currency: string | null; net_minor: string | null; actual_lines: number }[] = await tx.query(
      `WITH page AS (
         SELECT entry_id, line_count FROM journal_entries
          WHERE $1::uuid IS NULL OR entry_id > $1::uuid
          ORDER BY entry_id LIMIT $2
       ), nets AS (
         SELECT l.entry_id, l.currency, count(*) AS lines,
                sum(CASE l.side WHEN 'DEBIT' THEN l.amount_minor::numeric ELSE -l.amount_minor::numeric END) AS net_minor
           FROM journal_lines l JOIN page p ON p.entry_id = l.entry_id
          GROUP BY l.entry_id, l.currency
       )
       SELECT p.entry_id, p.line_count, n.currency, n.net_minor::text AS net_minor,
              coalesce(sum(n.lines) OVER (PARTITION BY p.entry_id), 0)::int AS actual_lines
         FROM page p LEFT JOIN nets n ON n.entry_id = p.entry_id
        ORDER BY p.entry_id, n.currency`,
      [after, pageSize],
    );
    const seen = new Set<string>();
    for (const row of rows) {
      if (!seen.has(row.entry_id)) {
        seen.add(row.entry_id);
        if (row.actual_lines !== row.line_count) {
          findings.add('sql', { kind: 'INCOMPLETE_ENTRY', entryId: row.entry_id, expectedLines: row.line_count, actualLines: row.actual_lines });
        }
      }
      if (row.currency !== null && row.net_minor !== null && BigInt(row.net_minor) !== 0n) {
        findings.add('sql', { kind: 'UNBALANCED_ENTRY', entryId: row.entry_id, currency: currencyOf(row.currency), netMinor: BigInt(row.net_minor) });
      }
    }
    checked += seen.size;
    const last = rows[rows.length - 1];
    if (last === undefined || seen.size < pageSize) return checked;
    after = last.entry_id;
  }
}

/** Per currency, over all balances and over the whole journal: one row per currency, never more. */
async function checkCurrencies(tx: SqlTransaction, findings: Findings): Promise<JournalProof['currencies']> {
  const totals = await tx.query<{ currency: string; posted: string; pending: string }>(
    `SELECT currency,
            sum(debits_posted_minor::numeric - credits_posted_minor)::text AS posted,
            sum(debits_pending_minor::numeric - credits_pending_minor)::text AS pending
       FROM account_balances GROUP BY currency ORDER BY currency`,
  );
  const currencies = totals.map((row) => ({ currency: row.currency, postedNetMinor: BigInt(row.posted), pendingNetMinor: BigInt(row.pending) }));
  for (const { currency, postedNetMinor, pendingNetMinor } of currencies) {
    if (postedNetMinor !== 0n) findings.add('sql', { kind: 'CURRENCY_NOT_ZERO', currency: currencyOf(currency), scope: 'POSTED', netMinor: postedNetMinor });
    if (pendingNetMinor !== 0n) findings.add('sql', { kind: 'CURRENCY_NOT_ZERO', currency: currencyOf(currency), scope: 'PENDING', netMinor: pendingNetMinor });
  }
  const journal = await tx.query<{ currency: string; net: string }>(
    `SELECT currency, sum(CASE side WHEN 'DEBIT' THEN amount_minor::numeric ELSE -amount_minor::numeric END)::text AS net
       FROM journal_lines GROUP BY currency ORDER BY currency`,
  );
  for (const row of journal) {
    if (BigInt(row.net) !== 0n) findings.add('sql', { kind: 'JOURNAL_NOT_ZERO', currency: row.currency, netMinor: BigInt(row.net) });
  }
  return currencies;
}

/** Reads a whole table page by page (only called when it is known to be small). */
async function readAll<Row extends object>(tx: SqlTransaction, select: (after: string | null) => [string, unknown[]], keyOf: (row: Row) => string, pageSize: number): Promise<Row[]> {
  const all: Row[] = [];
  let after: string | null = null;
  for (;;) {
    const [text, params] = select(after);
    const rows = await tx.query<Row>(text, params);
    all.push(...rows);
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < pageSize) return all;
    after = keyOf(last);
  }
}

/** The journal, holds and balances in memory, or undefined when there are more than `maxEntries`. */
async function loadJournal(tx: SqlTransaction, pageSize: number, maxEntries: number): Promise<JournalProof['journal']> {
  const [sizes] = await tx.query<{ entries: string; pending: string }>(
    "SELECT (SELECT count(*) FROM journal_entries)::text AS entries, (SELECT count(*) FROM holds WHERE status = 'PENDING')::text AS pending",
  );
  if (sizes === undefined || BigInt(sizes.entries) > BigInt(maxEntries) || BigInt(sizes.pending) > BigInt(maxEntries)) return undefined;
  const entryRows = await readAll<EntryRow>(
    tx,
    (after) => [`SELECT ${ENTRY_COLUMNS} FROM journal_entries WHERE $1::uuid IS NULL OR entry_id > $1::uuid ORDER BY entry_id LIMIT $2`, [after, pageSize]],
    (row) => row.entry_id,
    pageSize,
  );
  const lineRows = await readAll<LineRow & { line_no: number }>(
    tx,
    (after) => {
      const [entryId, lineNo] = after === null ? [null, -1] : (after.split('/') as [string, string]);
      return [
        `SELECT ${LINE_COLUMNS}, line_no FROM journal_lines WHERE $1::uuid IS NULL OR (entry_id, line_no) > ($1::uuid, $2::smallint) ORDER BY entry_id, line_no LIMIT $3`,
        [entryId, Number(lineNo), pageSize],
      ];
    },
    (row) => `${row.entry_id}/${row.line_no}`,
    pageSize,
  );
  const holdRows = await readAll<HoldRow>(
    tx,
    (after) => [`SELECT ${HOLD_COLUMNS} FROM holds WHERE status = 'PENDING' AND ($1::uuid IS NULL OR hold_id > $1::uuid) ORDER BY hold_id LIMIT $2`, [after, pageSize]],
    (row) => row.hold_id,
    pageSize,
  );
  const balanceRows = await readAll<BalanceRow>(
    tx,
    (after) => [`SELECT ${BALANCE_COLUMNS} FROM account_balances WHERE account_id > $1 ORDER BY account_id LIMIT $2`, [after ?? '', pageSize]],
    (row) => row.account_id,
    pageSize,
  );
  const linesByEntry = new Map<string, LineRow[]>();
  for (const line of lineRows) {
    const lines = linesByEntry.get(line.entry_id);
    if (lines === undefined) linesByEntry.set(line.entry_id, [line]);
    else lines.push(line);
  }
  const entries: JournalEntry[] = entryRows.map((row) => entryOf(row, linesByEntry.get(row.entry_id) ?? []));
  const holds: Hold[] = holdRows.map((row) => holdOf(row).hold);
  const balances = new Map<string, AccountBalance>(balanceRows.map((row) => [row.account_id, balanceOf(row)]));
  return { entries, holds, balances };
}

/** The proof's SQL half on this pool, for verifyBooks. */
export function journalProofOn(pool: Pool): ProveJournal {
  return async (options) => {
    const statementTimeout_ms = options.statementTimeout_ms ?? VERIFY_STATEMENT_TIMEOUT_MS;
    if (!Number.isInteger(statementTimeout_ms) || statementTimeout_ms < 1) throw new Error(`statementTimeout_ms must be a positive integer, got ${statementTimeout_ms}`);
    const findings = new Findings(options.maxFindings);
    const checkedOut = await checkOut(pool);
    const client: PoolClient = checkedOut.client;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${statementTimeout_ms}`);
      const tx = fromPgClient(client);
      const accountsChecked = await checkAccounts(tx, options.pageSize, findings);
      const entriesChecked = await checkEntries(tx, options.pageSize, findings);
      const currencies = await checkCurrencies(tx, findings);
      const journal = await loadJournal(tx, options.pageSize, options.domainVerifyMaxEntries);
      await client.query('COMMIT');
      return { sqlFindings: findings.list, accountsChecked, entriesChecked, currencies, journal };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      checkedOut.release();
    }
  };
}
