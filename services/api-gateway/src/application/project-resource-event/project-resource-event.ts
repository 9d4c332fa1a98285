import type { ResourceRegistered } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import type { ProjectionOutcome } from '../../read-models/event-facts';
import { applyResourceRegistered } from '../../read-models/resource-views';

/** booking registered (or renamed) a resource: the read model follows. */
export function projectResourceEvent(tx: SqlTransaction, event: ResourceRegistered): Promise<ProjectionOutcome> {
  return applyResourceRegistered(tx, event);
}
