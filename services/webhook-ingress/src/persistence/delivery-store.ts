import type { Pool } from 'pg';
import { PspEventReceived } from '@txn/contracts';
import type { EventPublisher } from '@txn/nest-messaging';
import { outboxRowOf } from '@txn/outbox';
import type { DeliveryStore, StoredEvent } from '../application/ports';

/**
 * One delivery, its dedup row and (first time, a published type) its outbox row, in one statement:
 * `store_webhook_delivery` (migration 004), which serialises the dedup decision per PSP event with a
 * transaction-scoped advisory lock, so two instances receiving the same event at once store two
 * deliveries but exactly one of them is the first, and only that one publishes. The event is
 * encoded before the statement (the registry id is cached after the first).
 */
export function deliveryStore(pool: Pick<Pool, 'query'>, publisher: Pick<EventPublisher, 'prepare'>): DeliveryStore {
  return {
    async store({ delivery, event, source, publish }): Promise<StoredEvent> {
      const outbox = publish === null ? null : outboxRowOf(await publisher.prepare(PspEventReceived, publish));
      const { rows } = await pool.query<{ first: boolean }>(
        `SELECT store_webhook_delivery($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) AS first`,
        [
          delivery.receivedAt, delivery.provider, delivery.account, source.kind, source.kind === 'VERIFIED' ? source.secretId : null, delivery.sourceAddress,
          event.pspEventId, event.pspEventType, JSON.stringify(delivery.headers), delivery.raw,
          event.pspObjectType, event.pspObjectId, event.pspCreatedAt, event.livemode,
          outbox?.eventId ?? null, outbox?.topic ?? null, outbox?.messageKey ?? null, outbox?.eventType ?? null, outbox?.value ?? null,
          outbox?.headers ?? null, outbox?.traceparent ?? null, outbox?.tracestate ?? null,
        ],
      );
      return { first: rows[0]?.first === true };
    },

    async newestEventAt(provider) {
      const { rows } = await pool.query<{ newest: Date | null }>('SELECT max(psp_created_at) AS newest FROM psp_events WHERE provider = $1', [provider]);
      return rows[0]?.newest ?? null;
    },
  };
}
