import { uuidV5 } from '@txn/domain-kernel';
import type { Envelope, EventType } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import type { NotificationContext } from '../notification-context';
import { webhookPayload } from '../webhook-payload';

/** The namespace of delivery ids: UUID v5 of `<endpoint>:<event>`. */
export const DELIVERY_NAMESPACE = '3c5e8a17-2b9d-5f40-a6e1-7d0c4b92f853';

/**
 * A merchant's event → one delivery for each of its endpoints subscribed to the type, in the
 * transaction that consumes it. `stale` when there was nothing new to deliver (no endpoint, or
 * the event was read before).
 */
export async function enqueueDeliveries(tx: SqlTransaction, eventType: EventType, event: { readonly envelope: Envelope } & Readonly<Record<string, unknown>>, context: NotificationContext): Promise<'applied' | 'stale'> {
  const { envelope } = event;
  const endpoints = await context.endpoints.subscribed(tx, envelope.tenantId, eventType);
  if (endpoints.length === 0) return 'stale';
  const payload = webhookPayload(eventType, event);
  const body = JSON.stringify(payload);
  let added = 0;
  for (const endpointId of endpoints) {
    const inserted = await context.deliveries.insert(tx, {
      deliveryId: uuidV5(DELIVERY_NAMESPACE, `${endpointId}:${envelope.eventId}`),
      endpointId,
      merchantId: envelope.tenantId,
      eventId: envelope.eventId,
      eventType,
      objectType: payload.object.type,
      objectId: envelope.aggregateId,
      objectVersion: envelope.aggregateVersion,
      occurredAt: envelope.occurredAt,
      payload: body,
    });
    if (inserted) added += 1;
  }
  return added === 0 ? 'stale' : 'applied';
}
