import { DECISION_SETTLER, type DecisionSettler } from '@txn/nest-messaging';
import type { RunningService } from '@txn/service-kit';
import { transactionsOn } from '@txn/sql';
import { expireDueHolds } from './application/expire-holds/expire-holds';
import type { LedgerDecision } from './application/ledger-decided';
import { ledgerStore } from './persistence/ledger-store';
import type { LedgerSettings } from './settings';

/**
 * One hold-expiry sweep of a running ledger, judged at `at` instead of the wall clock: the same use
 * case, batch size, grace and settle path as its periodic sweeper (each lapsed hold voided with
 * reason HOLD_EXPIRED, HoldVoided through the outbox). For a sweep on demand, and for tests that
 * prove an authorization's real expiry voids the hold without waiting the days it lasts.
 */
export function sweepLapsedHolds(ledger: RunningService, settings: LedgerSettings, at: Date): Promise<{ readonly due: number; readonly expired: number }> {
  const settler = ledger.app.get<symbol, DecisionSettler<LedgerDecision, undefined>>(DECISION_SETTLER, { strict: false });
  const { pool, logger } = ledger.dependencies;
  return expireDueHolds({ transactions: transactionsOn(pool), book: ledgerStore, settler, logger, batchSize: settings.holdExpiryBatchSize, grace_ms: settings.holdExpiryGrace_ms, clock: () => at });
}
