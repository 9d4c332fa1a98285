import type { WebhookEndpointChanged } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import type { EndpointHealth } from '../application/delivery-rules';
import type { DeliverableEndpoint, WebhookEndpoints } from '../application/ports';

interface EndpointRow {
  endpoint_id: string;
  merchant_id: string;
  url: string;
  secret_version: number;
  previous_secret_valid_until: Date | null;
  failing_since: Date | null;
  auto_disabled_at: Date | null;
}

function endpointOf(row: EndpointRow): DeliverableEndpoint {
  return {
    endpointId: row.endpoint_id,
    merchantId: row.merchant_id,
    url: row.url,
    secretVersion: row.secret_version,
    previousSecretValidUntil: row.previous_secret_valid_until,
    health: { failingSince: row.failing_since, autoDisabledAt: row.auto_disabled_at },
  };
}

const DELIVERING = `merchant_status = 'ENABLED' AND auto_disabled_at IS NULL`;

/**
 * The gateway's change, applied in order (the topic is keyed by merchant; an older version is
 * stale). A change to ENABLED from DISABLED is the merchant's re-enable: the failure is forgotten.
 */
async function applyChange(tx: SqlTransaction, event: WebhookEndpointChanged): Promise<'stale' | { readonly reenabled: boolean }> {
  const { envelope } = event;
  const rows = await tx.query<{ reenabled: boolean }>(
    `WITH previous AS (SELECT merchant_status FROM webhook_endpoints WHERE endpoint_id = $1 FOR UPDATE)
     INSERT INTO webhook_endpoints (endpoint_id, merchant_id, url, event_types, merchant_status, version, secret_version, previous_secret_valid_until)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (endpoint_id) DO UPDATE SET url = EXCLUDED.url, event_types = EXCLUDED.event_types, merchant_status = EXCLUDED.merchant_status, version = EXCLUDED.version,
       secret_version = EXCLUDED.secret_version, previous_secret_valid_until = EXCLUDED.previous_secret_valid_until,
       failing_since = CASE WHEN EXCLUDED.merchant_status = 'ENABLED' AND webhook_endpoints.merchant_status = 'DISABLED' THEN NULL ELSE webhook_endpoints.failing_since END,
       auto_disabled_at = CASE WHEN EXCLUDED.merchant_status = 'ENABLED' AND webhook_endpoints.merchant_status = 'DISABLED' THEN NULL ELSE webhook_endpoints.auto_disabled_at END,
       updated_at = now()
     WHERE webhook_endpoints.version <= EXCLUDED.version
     RETURNING merchant_status = 'ENABLED' AND (SELECT merchant_status FROM previous) = 'DISABLED' AS reenabled`,
    [event.endpointId, event.merchantId, event.url, [...event.eventTypes], event.status, envelope.aggregateVersion.toString(), event.secretVersion, event.previousSecretValidUntil],
  );
  const [row] = rows;
  return row === undefined ? 'stale' : { reenabled: row.reenabled === true };
}

async function subscribed(tx: SqlTransaction, merchantId: string, eventType: string): Promise<string[]> {
  const rows = await tx.query<{ endpoint_id: string }>(`SELECT endpoint_id FROM webhook_endpoints WHERE merchant_id = $1 AND (event_types @> ARRAY['*'] OR event_types @> ARRAY[$2]) ORDER BY endpoint_id`, [merchantId, eventType]);
  return rows.map((row) => row.endpoint_id);
}

// A lease, not a lock held over HTTP: a crashed instance's endpoints are taken over when it ends.
async function leaseDue(tx: SqlTransaction, instance: string, limit: number, lease_ms: number): Promise<string[]> {
  const rows = await tx.query<{ endpoint_id: string }>(
    `UPDATE webhook_endpoints SET lease_owner = $1, leased_until = now() + make_interval(secs => $3::double precision / 1000)
      WHERE endpoint_id IN (
        SELECT e.endpoint_id FROM webhook_endpoints e
         WHERE e.${DELIVERING} AND (e.leased_until IS NULL OR e.leased_until < now())
           AND (SELECT d.next_attempt_at FROM webhook_deliveries d WHERE d.endpoint_id = e.endpoint_id AND d.status = 'PENDING' ORDER BY d.delivery_seq LIMIT 1) <= now()
         ORDER BY e.endpoint_id LIMIT $2 FOR UPDATE SKIP LOCKED)
      RETURNING endpoint_id`,
    [instance, limit, lease_ms],
  );
  return rows.map((row) => row.endpoint_id);
}

async function held(tx: SqlTransaction, endpointId: string, instance: string, lease_ms: number): Promise<DeliverableEndpoint | undefined> {
  const [row] = await tx.query<EndpointRow>(
    `UPDATE webhook_endpoints SET leased_until = now() + make_interval(secs => $3::double precision / 1000)
      WHERE endpoint_id = $1 AND lease_owner = $2 AND ${DELIVERING}
      RETURNING endpoint_id, merchant_id, url, secret_version, previous_secret_valid_until, failing_since, auto_disabled_at`,
    [endpointId, instance, lease_ms],
  );
  return row === undefined ? undefined : endpointOf(row);
}

async function release(tx: SqlTransaction, endpointId: string, instance: string): Promise<void> {
  await tx.query(`UPDATE webhook_endpoints SET lease_owner = NULL, leased_until = NULL WHERE endpoint_id = $1 AND lease_owner = $2`, [endpointId, instance]);
}

async function recordHealth(tx: SqlTransaction, endpointId: string, health: EndpointHealth, succeeded: boolean, lastError: string | null): Promise<void> {
  await tx.query(
    `UPDATE webhook_endpoints SET failing_since = $2, auto_disabled_at = $3, last_error = $4, last_success_at = CASE WHEN $5 THEN now() ELSE last_success_at END, updated_at = now() WHERE endpoint_id = $1`,
    [endpointId, health.failingSince, health.autoDisabledAt, lastError, succeeded],
  );
}

/** The endpoints' SQL behind the application's port. */
export const webhookEndpointStore: WebhookEndpoints = { applyChange, subscribed, leaseDue, held, release, recordHealth };
