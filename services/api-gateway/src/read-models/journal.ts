import { Inject, Injectable } from '@nestjs/common';
import { TenantTransactions } from '../persistence/tenant-transactions';
import { decodeCursor, encodeCursor } from './cursor';
import type { RecordPosition } from './event-facts';

export interface BalanceRow {
  readonly accountId: string;
  readonly currency: string;
  readonly debits: bigint;
  readonly credits: bigint;
}

/** The journal a read reflects: the newest entry it includes and when the gateway last applied one. */
export interface JournalReflects {
  readonly entryCount: number;
  readonly lastEntryId: string | null;
  readonly lastPostedAt: Date | null;
  readonly position: RecordPosition | null;
  readonly lastAppliedAt: Date | null;
}

export interface AccountLine {
  readonly entryId: string;
  readonly line: number;
  readonly entryType: string;
  readonly reason: string;
  readonly side: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly postedAt: Date;
  readonly reversesEntryId: string | null;
  readonly paymentId: string | null;
  readonly bookingId: string | null;
  /** Debits minus credits of the account in this currency, up to and including this line. */
  readonly runningMinor: bigint;
}

const BALANCES_SQL = `
  SELECT account_id, currency,
         sum(CASE WHEN side = 'DEBIT' THEN amount_minor ELSE 0 END)::text AS debits,
         sum(CASE WHEN side = 'CREDIT' THEN amount_minor ELSE 0 END)::text AS credits
    FROM ledger_posting_views
   WHERE posted_at <= $1 AND ($2::text IS NULL OR currency = $2)
   GROUP BY account_id, currency
   ORDER BY account_id, currency`;

const REFLECTS_SQL = `
  SELECT (SELECT count(*)::int FROM ledger_entry_views WHERE posted_at <= $1) AS entry_count,
         (SELECT max(applied_at) FROM ledger_entry_views) AS last_applied_at,
         e.entry_id, e.posted_at, e.topic, e."partition", e."offset"::text AS "offset"
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL (SELECT * FROM ledger_entry_views WHERE posted_at <= $1 ORDER BY posted_at DESC, entry_id DESC LIMIT 1) e ON true`;

// The running balance is a window over the account's whole history, then the page is cut from it.
const ACCOUNT_LINES_SQL = `
  SELECT * FROM (
    SELECT p.entry_id, p.line, p.side, p.amount_minor::text AS amount_minor, p.currency, p.posted_at,
           e.entry_type, e.reason, e.reverses_entry_id, e.payment_id, e.booking_id,
           (sum(CASE WHEN p.side = 'DEBIT' THEN p.amount_minor ELSE -p.amount_minor END)
              OVER (PARTITION BY p.currency ORDER BY p.posted_at, p.entry_id, p.line))::text AS running
      FROM ledger_posting_views p
      JOIN ledger_entry_views e ON e.merchant_id = p.merchant_id AND e.entry_id = p.entry_id
     WHERE p.account_id = $1
  ) lines
   WHERE $2::timestamptz IS NULL OR (posted_at, entry_id, line) > ($2::timestamptz, $3::text, $4::int)
   ORDER BY posted_at, entry_id, line
   LIMIT $5`;

interface LineRow {
  entry_id: string;
  line: number;
  side: string;
  amount_minor: string;
  currency: string;
  posted_at: Date;
  entry_type: string;
  reason: string;
  reverses_entry_id: string | null;
  payment_id: string | null;
  booking_id: string | null;
  running: string;
}

function lineOf(row: LineRow): AccountLine {
  return {
    entryId: row.entry_id,
    line: row.line,
    entryType: row.entry_type,
    reason: row.reason,
    side: row.side,
    amountMinor: BigInt(row.amount_minor),
    currency: row.currency,
    postedAt: row.posted_at,
    reversesEntryId: row.reverses_entry_id,
    paymentId: row.payment_id,
    bookingId: row.booking_id,
    runningMinor: BigInt(row.running),
  };
}

/**
 * Reads of the journal copy in the caller's merchant scope. Aggregates and running balances are
 * SQL's to compute (decision 0023), over the postings' (account, time) index.
 */
@Injectable()
export class LedgerJournal {
  constructor(@Inject(TenantTransactions) private readonly transactions: TenantTransactions) {}

  balancesAt(merchantId: string, at: Date, currency: string | undefined): Promise<{ balances: BalanceRow[]; reflects: JournalReflects }> {
    return this.transactions.run({ kind: 'tenant', tenantId: merchantId }, async (manager) => {
      const rows = (await manager.query(BALANCES_SQL, [at, currency ?? null])) as { account_id: string; currency: string; debits: string; credits: string }[];
      const [reflected] = (await manager.query(REFLECTS_SQL, [at])) as { entry_count: number; last_applied_at: Date | null; entry_id: string | null; posted_at: Date | null; topic: string | null; partition: number | null; offset: string | null }[];
      const balances = rows.map((row) => ({ accountId: row.account_id, currency: row.currency, debits: BigInt(row.debits), credits: BigInt(row.credits) }));
      const position = reflected === undefined || reflected.topic === null || reflected.partition === null || reflected.offset === null ? null : { topic: reflected.topic, partition: reflected.partition, offset: reflected.offset };
      return { balances, reflects: { entryCount: reflected?.entry_count ?? 0, lastEntryId: reflected?.entry_id ?? null, lastPostedAt: reflected?.posted_at ?? null, position, lastAppliedAt: reflected?.last_applied_at ?? null } };
    });
  }

  /** An account's lines, oldest first, each with the running balance; `cursor` from the previous page. */
  accountLines(merchantId: string, accountId: string, limit: number, cursor: string | undefined): Promise<{ lines: AccountLine[]; nextCursor: string | null }> {
    const after = cursor === undefined ? null : decodeCursor(cursor);
    const [line, entryId] = after === null ? [null, null] : [Number(after.id.slice(0, after.id.indexOf(':'))), after.id.slice(after.id.indexOf(':') + 1)];
    return this.transactions.run({ kind: 'tenant', tenantId: merchantId }, async (manager) => {
      const rows = (await manager.query(ACCOUNT_LINES_SQL, [accountId, after?.at ?? null, entryId, Number.isInteger(line) ? line : 0, limit + 1])) as LineRow[];
      const lines = rows.slice(0, limit).map(lineOf);
      const last = lines[lines.length - 1];
      return { lines, nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ at: last.postedAt, id: `${last.line}:${last.entryId}` }) : null };
    });
  }
}
