import type { Pool } from 'pg';

/** What `./platform notifications deliveries` filters on; every filter is optional and they combine. */
export interface DeliveryFilter {
  readonly endpointId?: string;
  readonly merchantId?: string;
  readonly eventType?: string;
  readonly status?: string;
  readonly since?: Date;
  readonly until?: Date;
  readonly limit: number;
}

export interface LoggedAttempt {
  readonly attempt: number;
  readonly started_at: Date;
  readonly outcome: string;
  readonly status_code: number | null;
  readonly latency_ms: number;
  readonly error: string | null;
  readonly response_excerpt: string | null;
}

export interface LoggedDelivery {
  readonly delivery_id: string;
  readonly endpoint_id: string;
  readonly merchant_id: string;
  readonly event_id: string;
  readonly event_type: string;
  readonly object: string;
  readonly status: string;
  readonly attempts: number;
  readonly next_attempt_at: Date;
  readonly delivered_at: Date | null;
  readonly created_at: Date;
  readonly last_status_code: number | null;
  readonly last_error: string | null;
  readonly attempt_log: readonly LoggedAttempt[];
}

// Newest first: what a merchant asks about is usually what just happened.
const DELIVERIES_SQL = `
  SELECT d.delivery_id, d.endpoint_id, d.merchant_id, d.event_id, d.event_type, d.object_type || '/' || d.object_id || '@' || d.object_version AS object,
         d.status, d.attempts, d.next_attempt_at, d.delivered_at, d.created_at, d.last_status_code, d.last_error,
         COALESCE((SELECT json_agg(json_build_object('attempt', a.attempt, 'started_at', a.started_at, 'outcome', a.outcome, 'status_code', a.status_code, 'latency_ms', a.latency_ms, 'error', a.error, 'response_excerpt', a.response_excerpt) ORDER BY a.attempt)
                     FROM webhook_delivery_attempts a WHERE a.delivery_id = d.delivery_id), '[]') AS attempt_log
    FROM webhook_deliveries d
   WHERE ($1::uuid IS NULL OR d.endpoint_id = $1) AND ($2::text IS NULL OR d.merchant_id = $2) AND ($3::text IS NULL OR d.event_type = $3)
     AND ($4::text IS NULL OR d.status = $4) AND ($5::timestamptz IS NULL OR d.created_at >= $5) AND ($6::timestamptz IS NULL OR d.created_at < $6)
   ORDER BY d.delivery_seq DESC
   LIMIT $7`;

/** The delivery log: deliveries with every attempt (outcome, status code, latency, the answer's first bytes). */
export async function listDeliveries(pool: Pool, filter: DeliveryFilter): Promise<LoggedDelivery[]> {
  const result = await pool.query<LoggedDelivery>(DELIVERIES_SQL, [filter.endpointId ?? null, filter.merchantId ?? null, filter.eventType ?? null, filter.status ?? null, filter.since ?? null, filter.until ?? null, filter.limit]);
  return result.rows;
}

/** What to send again: one delivery, or every delivery of an endpoint created since a point in time. */
export type ReplaySelection = { readonly deliveryId: string } | { readonly endpointId: string; readonly since: Date };

/**
 * Replay: the chosen deliveries are pending again with a new retry round, due now, whatever they
 * were (delivered, given up, waiting). The receiver gets the same event id and body, so one that
 * deduplicates by event id sees nothing twice; the endpoint's order (oldest first) holds.
 */
export async function replayDeliveries(pool: Pool, selection: ReplaySelection): Promise<number> {
  const [clause, parameters] = 'deliveryId' in selection ? ['delivery_id = $1', [selection.deliveryId]] : ['endpoint_id = $1 AND created_at >= $2', [selection.endpointId, selection.since]];
  const result = await pool.query(`UPDATE webhook_deliveries SET status = 'PENDING', round_attempts = 0, round_started_at = NULL, next_attempt_at = now() WHERE ${clause}`, parameters);
  return result.rowCount ?? 0;
}
