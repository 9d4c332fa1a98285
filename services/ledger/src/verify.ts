import type { Pool } from 'pg';
import { verifyBooks, type VerifyOptions, type VerifyReport } from './application/verify-books/verify-books';
import { journalProofOn } from './persistence/journal-proof';

/** The ledger's proof on a pool of its database (the verify command, tests, the benchmark). */
export function verifyLedger(pool: Pool, options: VerifyOptions = {}): Promise<VerifyReport> {
  return verifyBooks(journalProofOn(pool), options);
}
