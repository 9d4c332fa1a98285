import type { Pool } from 'pg';
import type { LedgerBreak } from '@txn/ledger-domain';
import { listOpenBreaks } from './persistence/ledger-store';

export type OpenBreak = LedgerBreak & { readonly raisedAt: Date };

/** At most this many breaks are listed at once: more is an incident, and a count says so. */
export const MAX_BREAKS_LISTED = 1_000;

/** The ledger's open breaks on a pool of its database, oldest first (the breaks command, tests, e2e). */
export function openBreaks(pool: Pool, limit = MAX_BREAKS_LISTED): Promise<OpenBreak[]> {
  return listOpenBreaks(pool, Math.min(Math.max(1, limit), MAX_BREAKS_LISTED));
}
