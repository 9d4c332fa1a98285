import type { CustomerDataKeyIssued, CustomerErased } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import type { NotificationContext } from '../notification-context';

/** CustomerDataKeyIssued → this service's copy of the key (wrapped; opened only to send the customer's email). */
export async function keepKeyCopy(tx: SqlTransaction, event: CustomerDataKeyIssued, context: NotificationContext): Promise<'applied' | 'stale'> {
  const kept = await context.keys.record(tx, { keyId: event.keyId, tenantId: event.envelope.tenantId, customerId: event.customerId, masterKeyId: event.masterKeyId, wrapped: event.wrappedKey });
  return kept ? 'applied' : 'stale';
}

/** CustomerErased → the copy destroyed: the customer's sealed address here is unreadable from now on, their waiting emails are given up. */
export async function destroyKeyCopy(tx: SqlTransaction, event: CustomerErased, context: NotificationContext): Promise<'applied' | 'stale'> {
  const erased = await context.keys.erase(tx, { keyId: event.keyId, tenantId: event.envelope.tenantId, customerId: event.customerId });
  return erased ? 'applied' : 'stale';
}
