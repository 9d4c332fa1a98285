import type { WebhookEndpointChanged } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import type { NotificationContext } from '../notification-context';

/**
 * The gateway's change to an endpoint → this service's copy. A re-enable (DISABLED → ENABLED, by
 * the merchant) also gives every delivery that waited a new retry round, due now: nothing that
 * arrived while it was off is stranded, and it goes out oldest first.
 */
export async function applyEndpointChange(tx: SqlTransaction, event: WebhookEndpointChanged, context: NotificationContext): Promise<'applied' | 'stale'> {
  const applied = await context.endpoints.applyChange(tx, event);
  if (applied === 'stale') return 'stale';
  if (applied.reenabled) await context.deliveries.restartRounds(tx, event.endpointId);
  return 'applied';
}
