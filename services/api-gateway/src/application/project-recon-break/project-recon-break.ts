import type { ReconciliationBreakRaised, ReconciliationBreakResolved } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import type { ProjectionOutcome, RecordPosition } from '../../read-models/event-facts';
import { insertBreakRaised, recordBreakResolved } from '../../read-models/recon-break-writer';

/** ReconciliationBreakRaised → finance's read model of breaks (raised once). */
export function projectBreakRaised(tx: SqlTransaction, event: ReconciliationBreakRaised, position: RecordPosition | null): Promise<ProjectionOutcome> {
  return insertBreakRaised(tx, event, position);
}

/** ReconciliationBreakResolved → the break, resolved (once). */
export function projectBreakResolved(tx: SqlTransaction, event: ReconciliationBreakResolved, position: RecordPosition | null): Promise<ProjectionOutcome> {
  return recordBreakResolved(tx, event, position);
}
