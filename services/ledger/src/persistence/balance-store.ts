import { type SqlTransaction } from '@txn/sql';
import {
  BALANCE_FIELDS,
  definitionOf,
  parseAccountId,
  type AccountBalance,
  type AccountRef,
  type Balances,
} from '@txn/ledger-domain';
import { refusalOf, type Refusal } from '../domain/refusal';
import { BALANCE_COLUMNS, balanceOf, type BalanceRow } from './rows';

/**
 * Accounts and their balance rows. Every write that moves money locks the balance rows it touches
 * here, always in account-id order, so two transactions touching overlapping accounts queue
 * instead of deadlocking. Balance rows are the last locks a write takes (after its hold or escrow row).
 */

/** Creates the accounts of the chart that do not exist yet (and their zero balances). */
async function ensureAccounts(tx: SqlTransaction, refs: readonly (AccountRef & { readonly id: string })[]): Promise<void> {
  // One statement: the balances insert sees the accounts the CTE inserted when its foreign key is
  // checked at the end of the statement. ON CONFLICT DO NOTHING takes no row lock on an existing
  // row, so this never waits for another transaction's balance lock.
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
    [
      refs.map((ref) => ref.id),
      refs.map((ref) => ref.tenantId),
      refs.map((ref) => ref.code),
      refs.map((ref) => ref.currency),
      refs.map((ref) => definitionOf(ref.code).type),
      refs.map((ref) => definitionOf(ref.code).normalSide),
      refs.map((ref) => definitionOf(ref.code).limit),
    ],
  );
}

/**
 * Makes sure the accounts exist and locks their balance rows (FOR UPDATE, in account-id order:
 * the sort happens below the row-locking step, so locks are taken in that order). Returns the
 * current balances, or UNKNOWN_ACCOUNT for an id that is not an account of the chart.
 */
export async function lockBalances(tx: SqlTransaction, accountIds: Iterable<string>): Promise<{ balances: Balances } | { refusal: Refusal }> {
  const ids = [...new Set(accountIds)].sort();
  const refs: (AccountRef & { id: string })[] = [];
  for (const id of ids) {
    const ref = parseAccountId(id);
    if (!ref.ok) return { refusal: refusalOf(ref.error) };
    refs.push({ ...ref.value, id });
  }
  // Create first, lock second, in two statements: the insert takes no row locks (ON CONFLICT DO
  // NOTHING), so nothing is held while it may wait for another transaction creating the same
  // account, and the locks are then taken in one sorted pass.
  await ensureAccounts(tx, refs);
  const rows = await tx.query<BalanceRow>(
    `SELECT ${BALANCE_COLUMNS} FROM account_balances WHERE account_id = ANY($1::text[]) ORDER BY account_id FOR UPDATE`,
    [ids],
  );
  const balances = new Map<string, AccountBalance>();
  for (const row of rows) balances.set(row.account_id, balanceOf(row));
  if (balances.size !== ids.length) throw new Error(`lockBalances: ${ids.length - balances.size} balance rows missing after creating them`);
  return { balances };
}

/** Writes the counters that changed (absolute values: the rows are locked by this transaction). */
export async function writeBalances(tx: SqlTransaction, before: Balances, after: Balances): Promise<void> {
  const changed = [...after.values()].filter((balance) => {
    const old = before.get(balance.accountId);
    return old === undefined || BALANCE_FIELDS.some((field) => old[field] !== balance[field]);
  });
  if (changed.length === 0) return;
  const updated = await tx.query<{ account_id: string }>(
    `UPDATE account_balances AS b
        SET debits_posted_minor = u.dp, credits_posted_minor = u.cp,
            debits_pending_minor = u.dq, credits_pending_minor = u.cq, updated_at = now()
       FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) AS u(account_id, dp, cp, dq, cq)
      WHERE b.account_id = u.account_id
     RETURNING b.account_id`,
    [
      changed.map((b) => b.accountId),
      changed.map((b) => b.debitsPostedMinor.toString()),
      changed.map((b) => b.creditsPostedMinor.toString()),
      changed.map((b) => b.debitsPendingMinor.toString()),
      changed.map((b) => b.creditsPendingMinor.toString()),
    ],
  );
  if (updated.length !== changed.length) {
    throw new Error(`writeBalances: ${changed.length} balances changed but ${updated.length} rows were updated (were they locked first?)`);
  }
}
