import { PspEventReceived } from '@txn/contracts';
import type { EventPublisher } from '@txn/nest-messaging';
import type { DeliveryStore, StoredEvent } from '../application/ports';

/**
 * The dedup decision is serialised per PSP event by a transaction-scoped advisory lock on its id,
 * so two instances receiving the same event at once store two deliveries but exactly one of them
 * is the first, and only that one publishes.
 */
export function deliveryStore(publisher: Pick<EventPublisher, 'publish'>): DeliveryStore {
  return {
    async store(tx, { delivery, event, source, publish }): Promise<StoredEvent> {
      await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 7))', [`${delivery.provider}:${event.pspEventId}`]);
      const seen = await tx.query<{ found: boolean }>('SELECT true AS found FROM psp_events WHERE provider = $1 AND psp_event_id = $2', [delivery.provider, event.pspEventId]);
      const first = seen.length === 0;
      const [row] = await tx.query<{ delivery_id: string }>(
        `INSERT INTO webhook_deliveries (received_at, provider, account, source_kind, verified_secret_id, source_address, psp_event_id, psp_event_type, first_delivery, headers, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING delivery_id`,
        [delivery.receivedAt, delivery.provider, delivery.account, source.kind, source.kind === 'VERIFIED' ? source.secretId : null, delivery.sourceAddress, event.pspEventId, event.pspEventType, first, JSON.stringify(delivery.headers), delivery.raw],
      );
      if (!first) return { first: false };
      await tx.query(
        `INSERT INTO psp_events (provider, psp_event_id, psp_event_type, psp_object_type, psp_object_id, psp_created_at, livemode, published, first_delivery)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [delivery.provider, event.pspEventId, event.pspEventType, event.pspObjectType, event.pspObjectId, event.pspCreatedAt, event.livemode, publish !== null, row?.delivery_id],
      );
      if (publish !== null) await publisher.publish(tx, PspEventReceived, publish);
      return { first: true };
    },

    async newestEventAt(tx, provider) {
      const [row] = await tx.query<{ newest: Date | null }>('SELECT max(psp_created_at) AS newest FROM psp_events WHERE provider = $1', [provider]);
      return row?.newest ?? null;
    },
  };
}
