import type { SqlTransaction } from '@txn/sql';
import type { DeliveryNext } from '../application/delivery-rules';
import type { AttemptResult, HeadDelivery, NewDelivery, WebhookDeliveries } from '../application/ports';

async function insert(tx: SqlTransaction, delivery: NewDelivery): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO webhook_deliveries (delivery_id, endpoint_id, merchant_id, event_id, event_type, object_type, object_id, object_version, occurred_at, payload, status, next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'PENDING', now()) ON CONFLICT DO NOTHING RETURNING 1`,
    [delivery.deliveryId, delivery.endpointId, delivery.merchantId, delivery.eventId, delivery.eventType, delivery.objectType, delivery.objectId, delivery.objectVersion.toString(), delivery.occurredAt, delivery.payload],
  );
  return rows.length === 1;
}

interface HeadRow {
  delivery_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  attempts: number;
  round_attempts: number;
  round_started_at: Date | null;
  due: boolean;
}

async function head(tx: SqlTransaction, endpointId: string): Promise<HeadDelivery | undefined> {
  const [row] = await tx.query<HeadRow>(
    `SELECT delivery_id, event_id, event_type, payload, attempts, round_attempts, round_started_at, next_attempt_at <= now() AS due
       FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'PENDING' ORDER BY delivery_seq LIMIT 1`,
    [endpointId],
  );
  if (row === undefined) return undefined;
  return { deliveryId: row.delivery_id, eventId: row.event_id, eventType: row.event_type, payload: row.payload, attempts: row.attempts, roundAttempts: row.round_attempts, roundStartedAt: row.round_started_at, due: row.due };
}

async function recordAttempt(tx: SqlTransaction, head: HeadDelivery, result: AttemptResult, startedAt: Date, next: DeliveryNext, instance: string): Promise<boolean> {
  const attempt = head.attempts + 1;
  const logged = await tx.query(
    `INSERT INTO webhook_delivery_attempts (delivery_id, attempt, started_at, latency_ms, outcome, status_code, error, response_excerpt, instance)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING 1`,
    [head.deliveryId, attempt, startedAt, result.latency_ms, result.outcome, result.statusCode, result.error, result.responseExcerpt, instance],
  );
  if (logged.length === 0) return false;
  const pending = next.status === 'PENDING' ? next : undefined;
  const round = next.status === 'SUCCEEDED' ? undefined : next;
  await tx.query(
    `UPDATE webhook_deliveries SET status = $3, attempts = $2, round_attempts = COALESCE($4, round_attempts), round_started_at = COALESCE($5, round_started_at),
       next_attempt_at = COALESCE($6, next_attempt_at), last_status_code = $7, last_error = $8, delivered_at = CASE WHEN $3 = 'SUCCEEDED' THEN now() ELSE delivered_at END
      WHERE delivery_id = $1 AND attempts = $2 - 1`,
    [head.deliveryId, attempt, next.status, round?.roundAttempts ?? null, round?.roundStartedAt ?? null, pending?.nextAttemptAt ?? null, result.statusCode, result.error],
  );
  return true;
}

async function pendingCount(tx: SqlTransaction, endpointId: string): Promise<bigint> {
  const [row] = await tx.query<{ count: string }>(`SELECT count(*) AS count FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'PENDING'`, [endpointId]);
  return BigInt(row?.count ?? '0');
}

async function restartRounds(tx: SqlTransaction, endpointId: string): Promise<void> {
  await tx.query(`UPDATE webhook_deliveries SET round_attempts = 0, round_started_at = NULL, next_attempt_at = now() WHERE endpoint_id = $1 AND status = 'PENDING'`, [endpointId]);
}

/** The deliveries' SQL behind the application's port. */
export const webhookDeliveryStore: WebhookDeliveries = { insert, head, recordAttempt, pendingCount, restartRounds };
