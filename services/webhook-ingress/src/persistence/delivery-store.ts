import type { Pool } from 'pg';
import { PspEventReceived } from '@txn/contracts';
import type { EventPublisher } from '@txn/nest-messaging';
import { outboxRowOf, type OutboxColumns } from '@txn/outbox';
import type { DeliveryRecord, DeliveryStore, StoredEvent } from '../application/ports';

/** Statements in flight at once; deliveries arriving meanwhile wait and go together in the next one. */
const MAX_STATEMENTS_IN_FLIGHT = 4;
/** Deliveries per statement at most. */
const MAX_BATCH = 64;

interface Pending {
  readonly record: DeliveryRecord;
  readonly outbox: OutboxColumns | null;
  readonly resolve: (stored: StoredEvent) => void;
  readonly reject: (error: unknown) => void;
}

// The arrays of the batch, in the order of store_webhook_delivery's parameters (migration 004).
const STORE_BATCH = `
  SELECT store_webhook_delivery(r.received_at, r.provider, r.account, r.source_kind, r.secret_id, r.source_address, r.psp_event_id, r.psp_event_type,
                                r.headers, r.body, r.psp_object_type, r.psp_object_id, r.psp_created_at, r.livemode, r.outbox_event_id, r.outbox_topic,
                                r.outbox_key, r.outbox_event_type, r.outbox_value, r.outbox_headers, r.traceparent, r.tracestate) AS first
    FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[], $10::bytea[],
                $11::text[], $12::text[], $13::timestamptz[], $14::boolean[], $15::uuid[], $16::text[], $17::text[], $18::text[], $19::bytea[], $20::jsonb[],
                $21::text[], $22::text[])
      WITH ORDINALITY AS r(received_at, provider, account, source_kind, secret_id, source_address, psp_event_id, psp_event_type, headers, body,
                           psp_object_type, psp_object_id, psp_created_at, livemode, outbox_event_id, outbox_topic, outbox_key, outbox_event_type,
                           outbox_value, outbox_headers, traceparent, tracestate, n)
   ORDER BY r.n`;

function columnsOf(batch: readonly Pending[]): unknown[][] {
  const column = <T>(of: (pending: Pending) => T): T[] => batch.map(of);
  return [
    column((p) => p.record.delivery.receivedAt), column((p) => p.record.delivery.provider), column((p) => p.record.delivery.account), column((p) => p.record.source.kind),
    column((p) => (p.record.source.kind === 'VERIFIED' ? p.record.source.secretId : null)), column((p) => p.record.delivery.sourceAddress),
    column((p) => p.record.event.pspEventId), column((p) => p.record.event.pspEventType), column((p) => JSON.stringify(p.record.delivery.headers)), column((p) => p.record.delivery.raw),
    column((p) => p.record.event.pspObjectType), column((p) => p.record.event.pspObjectId), column((p) => p.record.event.pspCreatedAt), column((p) => p.record.event.livemode),
    column((p) => p.outbox?.eventId ?? null), column((p) => p.outbox?.topic ?? null), column((p) => p.outbox?.messageKey ?? null), column((p) => p.outbox?.eventType ?? null),
    column((p) => p.outbox?.value ?? null), column((p) => p.outbox?.headers ?? null), column((p) => p.outbox?.traceparent ?? null), column((p) => p.outbox?.tracestate ?? null),
  ];
}

/**
 * Each delivery, its dedup row and (first time, a published type) its outbox row are written by
 * `store_webhook_delivery` (migration 004), which serialises the dedup decision per PSP event with a
 * transaction-scoped advisory lock: two instances receiving the same event at once store two
 * deliveries, exactly one of them first, and only that one publishes.
 *
 * Group commit: at most MAX_STATEMENTS_IN_FLIGHT statements run at once; deliveries that arrive
 * while they do are written together by the next one (one transaction, one commit; sorted by event
 * id so two batches take their locks in the same order). A quiet ingress writes each delivery at
 * once, alone. A failed statement fails every delivery in it: each answers 503 and the PSP delivers
 * again — never a 2xx for what did not commit.
 */
export function deliveryStore(pool: Pick<Pool, 'query'>, publisher: Pick<EventPublisher, 'prepare'>): DeliveryStore {
  const queue: Pending[] = [];
  let inFlight = 0;
  const flush = (): void => {
    while (inFlight < MAX_STATEMENTS_IN_FLIGHT && queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH).sort((a, b) => (a.record.event.pspEventId < b.record.event.pspEventId ? -1 : a.record.event.pspEventId > b.record.event.pspEventId ? 1 : 0));
      inFlight += 1;
      pool
        .query<{ first: boolean }>(STORE_BATCH, columnsOf(batch))
        .then(
          ({ rows }) => batch.forEach((pending, index) => pending.resolve({ first: rows[index]?.first === true })),
          (error: unknown) => batch.forEach((pending) => pending.reject(error)),
        )
        .finally(() => {
          inFlight -= 1;
          flush();
        });
    }
  };
  return {
    async store(record): Promise<StoredEvent> {
      const outbox = record.publish === null ? null : outboxRowOf(await publisher.prepare(PspEventReceived, record.publish));
      return new Promise<StoredEvent>((resolve, reject) => {
        queue.push({ record, outbox, resolve, reject });
        flush();
      });
    },

    async newestEventAt(provider, account) {
      const { rows } = await pool.query<{ newest: Date | null }>(
        'SELECT e.psp_created_at AS newest FROM psp_events e JOIN webhook_deliveries d ON d.delivery_id = e.first_delivery WHERE e.provider = $1 AND d.account = $2 ORDER BY e.psp_created_at DESC LIMIT 1',
        [provider, account],
      );
      return rows[0]?.newest ?? null;
    },
  };
}
