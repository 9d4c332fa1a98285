import type { Pool, PoolClient } from 'pg';
import { fromPgClient, type SqlTransaction } from '@txn/sql';
import { verify as verifyJournal, type AccountBalance, type Discrepancy, type Hold, type JournalEntry } from '@txn/ledger-domain';
import { BALANCE_COLUMNS, balanceOf, currencyOf, ENTRY_COLUMNS, entryOf, HOLD_COLUMNS, holdOf, LINE_COLUMNS, type BalanceRow, type EntryRow, type HoldRow, type LineRow } from './persistence/rows';

/**
 * Proves the stored ledger: every balance counter equals the sum of its journal lines (pending:
 * of its pending holds), every entry has its lines and balances per currency, and every currency
 * sums to zero. Done in SQL over the whole journal, one keyset page at a time (memory bounded by
 * the page size, whatever the journal's size), inside one REPEATABLE READ snapshot so that
 * writes going on meanwhile do not show up as false discrepancies. On a small ledger the domain's
 * own `verify` runs too, on the loaded journal: two independent implementations of one proof.
 */

export type LedgerDiscrepancy =
  | Discrepancy
  | { readonly kind: 'INCOMPLETE_ENTRY'; readonly entryId: string; readonly expectedLines: number; readonly actualLines: number }
  /** Debits minus credits over all journal lines of one currency: must be 0. */
  | { readonly kind: 'JOURNAL_NOT_ZERO'; readonly currency: string; readonly netMinor: bigint };

export interface Finding {
  /** Which proof found it: the SQL pass, or the domain's verify over the loaded journal. */
  readonly source: 'sql' | 'domain';
  readonly discrepancy: LedgerDiscrepancy;
}

export interface VerifyReport {
  readonly findings: readonly Finding[];
  /** More findings existed than `maxFindings`: fix the first ones and run again. */
  readonly truncated: boolean;
  readonly accountsChecked: number;
  readonly entriesChecked: number;
  readonly currencies: readonly { readonly currency: string; readonly postedNetMinor: bigint; readonly pendingNetMinor: bigint }[];
  readonly domainVerify: 'ran' | 'skipped';
}

export interface VerifyOptions {
  /** Accounts or entries per SQL page. */
  readonly pageSize?: number;
  readonly maxFindings?: number;
  /** The domain verify loads the journal into memory: only up to this many entries (and pending holds). */
  readonly domainVerifyMaxEntries?: number;
  readonly statementTimeout_ms?: number;
}

export const VERIFY_PAGE_SIZE = 500;
export const MAX_FINDINGS = 1_000;
export const DOMAIN_VERIFY_MAX_ENTRIES = 10_000;
/** Bounds each page's statement, not the whole run (which grows with the journal). */
export const VERIFY_STATEMENT_TIMEOUT_MS = 60_000;

class Findings {
  readonly list: Finding[] = [];
  truncated = false;
  constructor(private readonly max: number) {}
  add(source: Finding['source'], discrepancy: LedgerDiscrepancy): void {
    if (this.list.length >= this.max) this.truncated = true;
    else this.list.push({ source, discrepancy });
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
async function checkCurrencies(tx: SqlTransaction, findings: Findings): Promise<VerifyReport['currencies']> {
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

async function domainVerify(tx: SqlTransaction, pageSize: number, maxEntries: number, findings: Findings): Promise<'ran' | 'skipped'> {
  const [sizes] = await tx.query<{ entries: string; pending: string }>(
    "SELECT (SELECT count(*) FROM journal_entries)::text AS entries, (SELECT count(*) FROM holds WHERE status = 'PENDING')::text AS pending",
  );
  if (sizes === undefined || BigInt(sizes.entries) > BigInt(maxEntries) || BigInt(sizes.pending) > BigInt(maxEntries)) return 'skipped';
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
  for (const discrepancy of verifyJournal({ entries, holds }, balances)) findings.add('domain', discrepancy);
  return 'ran';
}

export async function verifyLedger(pool: Pool, options: VerifyOptions = {}): Promise<VerifyReport> {
  const pageSize = options.pageSize ?? VERIFY_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new Error(`pageSize must be a positive integer, got ${pageSize}`);
  const statementTimeout_ms = options.statementTimeout_ms ?? VERIFY_STATEMENT_TIMEOUT_MS;
  if (!Number.isInteger(statementTimeout_ms) || statementTimeout_ms < 1) throw new Error(`statementTimeout_ms must be a positive integer, got ${statementTimeout_ms}`);
  const findings = new Findings(options.maxFindings ?? MAX_FINDINGS);
  const client: PoolClient = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${statementTimeout_ms}`);
    const tx = fromPgClient(client);
    const accountsChecked = await checkAccounts(tx, pageSize, findings);
    const entriesChecked = await checkEntries(tx, pageSize, findings);
    const currencies = await checkCurrencies(tx, findings);
    const domain = await domainVerify(tx, pageSize, options.domainVerifyMaxEntries ?? DOMAIN_VERIFY_MAX_ENTRIES, findings);
    await client.query('COMMIT');
    return { findings: findings.list, truncated: findings.truncated, accountsChecked, entriesChecked, currencies, domainVerify: domain };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
