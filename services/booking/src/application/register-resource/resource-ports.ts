import type { Resource } from '@txn/booking-domain';
import type { SqlTransaction } from '@txn/sql';

/** Booking's resources, as register-resource needs them. */
export interface ResourceStore {
  /** The resource, its row locked for the decision (a concurrent registration of the same id waits). */
  findForUpdate(tx: SqlTransaction, tenantId: string, resourceId: string): Promise<Resource | undefined>;
  /** Inserts it; false when a concurrent registration inserted the same id first (decide again). */
  insert(tx: SqlTransaction, resource: Resource): Promise<boolean>;
  rename(tx: SqlTransaction, resource: Resource): Promise<void>;
}
