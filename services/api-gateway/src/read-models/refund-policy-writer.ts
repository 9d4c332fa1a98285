import type { RefundPolicySet } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import { SCOPE_TRANSACTION_SQL, scopeParameters } from '../persistence/tenant-transactions';
import type { ProjectionOutcome } from './event-facts';

/**
 * RefundPolicySet → the merchant's row, by booking's version (a replayed older one changes
 * nothing). The change the API asked for stops being pending once booking answered the very
 * command that asked for it (the event's causation).
 */
export async function applyRefundPolicySet(tx: SqlTransaction, event: RefundPolicySet): Promise<ProjectionOutcome> {
  const { envelope } = event;
  await tx.query(SCOPE_TRANSACTION_SQL, scopeParameters({ kind: 'tenant', tenantId: envelope.tenantId }));
  const tiers = JSON.stringify(event.tiers.map((tier) => ({ minNotice_ms: Number(tier.minNoticeMs), refund_bp: tier.refundBp })));
  const rows = await tx.query(
    `INSERT INTO refund_policy_views (merchant_id, tiers, otherwise_bp, version, reason, set_by, last_event_id, last_event_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
     ON CONFLICT (merchant_id) DO UPDATE SET tiers = EXCLUDED.tiers, otherwise_bp = EXCLUDED.otherwise_bp, version = EXCLUDED.version,
       reason = EXCLUDED.reason, set_by = EXCLUDED.set_by, last_event_id = EXCLUDED.last_event_id, last_event_at = EXCLUDED.last_event_at, updated_at = now()
     WHERE refund_policy_views.version < EXCLUDED.version
     RETURNING 1`,
    [envelope.tenantId, tiers, event.otherwiseBp, envelope.aggregateVersion.toString(), event.reason, `${envelope.actor.type}:${envelope.actor.id}`, envelope.eventId, envelope.occurredAt],
  );
  if (rows.length > 0 && envelope.causationId !== null) {
    await tx.query(
      `UPDATE refund_policy_views SET requested_tiers = NULL, requested_otherwise_bp = NULL, requested_reason = NULL, requested_by = NULL, requested_at = NULL, requested_command_id = NULL
        WHERE merchant_id = $1 AND requested_command_id = $2`,
      [envelope.tenantId, envelope.causationId],
    );
  }
  return rows.length === 0 ? 'stale' : 'applied';
}
