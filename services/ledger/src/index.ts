// The ledger service's public surface: what the platform's launcher, the end-to-end tests and the
// benchmarks may use. Everything else under src/ is the service's own.
export { ledgerService } from './service';
export { readLedgerSettings, type LedgerSettings } from './settings';
export { migrateLedger } from './persistence/migrations';
export { verifyLedger } from './verify';
export { MAX_BREAKS_LISTED, openBreaks, type OpenBreak } from './breaks';
export { sweepLapsedHolds } from './sweep-lapsed-holds';
export { DOMAIN_VERIFY_MAX_ENTRIES, MAX_FINDINGS, VERIFY_PAGE_SIZE, type Finding, type LedgerDiscrepancy, type VerifyOptions, type VerifyReport } from './application/verify-books/verify-books';
