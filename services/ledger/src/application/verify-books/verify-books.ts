import { verify as verifyJournal, type AccountBalance, type Discrepancy, type Hold, type JournalEntry } from '@txn/ledger-domain';

/**
 * Proves the stored ledger: every balance counter equals the sum of its journal lines (pending: of
 * its pending holds), every entry has its lines and balances per currency, and every currency sums
 * to zero. The SQL half runs over the whole journal in the database (persistence/journal-proof.ts);
 * on a small ledger the domain's own `verify` runs too, on the loaded journal: two independent
 * implementations of one proof, both in one snapshot.
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

/** What the SQL half saw in its snapshot, and the journal itself when it was small enough to load. */
export interface JournalProof {
  readonly sqlFindings: readonly LedgerDiscrepancy[];
  readonly accountsChecked: number;
  readonly entriesChecked: number;
  readonly currencies: VerifyReport['currencies'];
  readonly journal: { readonly entries: readonly JournalEntry[]; readonly holds: readonly Hold[]; readonly balances: ReadonlyMap<string, AccountBalance> } | undefined;
}

/** The port: one snapshot, SQL checks paged, the journal loaded only below `domainVerifyMaxEntries`. */
export type ProveJournal = (options: { readonly pageSize: number; readonly maxFindings: number; readonly domainVerifyMaxEntries: number; readonly statementTimeout_ms?: number }) => Promise<JournalProof>;

export async function verifyBooks(prove: ProveJournal, options: VerifyOptions = {}): Promise<VerifyReport> {
  const pageSize = options.pageSize ?? VERIFY_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new Error(`pageSize must be a positive integer, got ${pageSize}`);
  const maxFindings = options.maxFindings ?? MAX_FINDINGS;
  const proof = await prove({
    pageSize,
    maxFindings: maxFindings + 1,
    domainVerifyMaxEntries: options.domainVerifyMaxEntries ?? DOMAIN_VERIFY_MAX_ENTRIES,
    ...(options.statementTimeout_ms === undefined ? {} : { statementTimeout_ms: options.statementTimeout_ms }),
  });
  const all: Finding[] = proof.sqlFindings.map((discrepancy) => ({ source: 'sql', discrepancy }));
  if (proof.journal !== undefined) {
    for (const discrepancy of verifyJournal({ entries: proof.journal.entries, holds: proof.journal.holds }, proof.journal.balances)) all.push({ source: 'domain', discrepancy });
  }
  return {
    findings: all.slice(0, maxFindings),
    truncated: all.length > maxFindings,
    accountsChecked: proof.accountsChecked,
    entriesChecked: proof.entriesChecked,
    currencies: proof.currencies,
    domainVerify: proof.journal === undefined ? 'skipped' : 'ran',
  };
}
