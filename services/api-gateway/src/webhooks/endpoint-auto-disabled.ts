import type { WebhookEndpointAutoDisabled } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import type { ProjectionOutcome } from '../read-models/event-facts';
import { SCOPE_TRANSACTION_SQL, scopeParameters } from '../persistence/tenant-transactions';
import type { SecurityEvents } from '../security/security-events';

interface EndpointRow {
  id: string;
  merchant_id: string;
  url: string;
  event_types: string[];
  status: 'ENABLED' | 'DISABLED';
  secret_version: number;
  previous_secret_valid_until: Date | null;
  updated_by: string;
}

/** Who the gateway names as having disabled an endpoint that kept failing. */
export const NOTIFICATION_SERVICE_LABEL = 'service:notification';

/**
 * The notification service stopped delivering to a failing endpoint: the gateway's row says so
 * (DISABLED, by the notification service), so the merchant sees it and can enable it again,
 * which is what resumes delivery. Announced like any other change; already disabled is `stale`.
 */
export async function applyEndpointAutoDisabled(tx: SqlTransaction, event: WebhookEndpointAutoDisabled, securityEvents: SecurityEvents): Promise<ProjectionOutcome> {
  await tx.query(SCOPE_TRANSACTION_SQL, scopeParameters({ kind: 'tenant', tenantId: event.merchantId }));
  const now = event.envelope.occurredAt;
  const [row] = await tx.query<EndpointRow>(
    `UPDATE webhook_endpoints SET status = 'DISABLED', updated_by = $3, updated_at = now()
      WHERE id = $1 AND merchant_id = $2 AND status = 'ENABLED'
      RETURNING id, merchant_id, url, event_types, status, secret_version, previous_secret_valid_until, updated_by`,
    [event.endpointId, event.merchantId, NOTIFICATION_SERVICE_LABEL],
  );
  if (row === undefined) return 'stale';
  const endpoint = { id: row.id, merchantId: row.merchant_id, url: row.url, eventTypes: row.event_types, status: row.status, secretVersion: row.secret_version, previousSecretValidUntil: row.previous_secret_valid_until, updatedBy: row.updated_by };
  await securityEvents.webhookEndpointChangedIn(tx, endpoint, 'DISABLED', event.envelope.actor, now);
  return 'applied';
}
