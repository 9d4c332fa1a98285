import type { ReconciliationBreakRaised, ReconciliationBreakResolved } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import { SCOPE_TRANSACTION_SQL, scopeParameters } from '../persistence/tenant-transactions';
import type { ProjectionOutcome, RecordPosition } from './event-facts';

/**
 * Reconciliation's breaks → finance's read model. A break is raised once and resolved once; both
 * events are keyed by the break, so they arrive in that order. A resolution whose raise this read
 * model never saw (it started after it) still records the break, resolved, with what it says.
 */
export async function insertBreakRaised(tx: SqlTransaction, event: ReconciliationBreakRaised, position: RecordPosition | null): Promise<ProjectionOutcome> {
  const { envelope } = event;
  await tx.query(SCOPE_TRANSACTION_SQL, scopeParameters({ kind: 'tenant', tenantId: envelope.tenantId }));
  const inserted = await tx.query(
    `INSERT INTO recon_break_views (merchant_id, break_id, kind, leg, payment_id, psp_object_id, detail, explanation, evidence, status, raised_at, topic, "partition", "offset")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'OPEN', $10, $11, $12, $13) ON CONFLICT (merchant_id, break_id) DO NOTHING RETURNING 1`,
    [envelope.tenantId, event.breakId, event.kind, event.leg, event.paymentId, event.pspObjectId, event.detail, event.explanation, event.evidence, envelope.occurredAt, position?.topic ?? null, position?.partition ?? null, position?.offset ?? null],
  );
  return inserted.length === 0 ? 'stale' : 'applied';
}

export async function recordBreakResolved(tx: SqlTransaction, event: ReconciliationBreakResolved, position: RecordPosition | null): Promise<ProjectionOutcome> {
  const { envelope } = event;
  await tx.query(SCOPE_TRANSACTION_SQL, scopeParameters({ kind: 'tenant', tenantId: envelope.tenantId }));
  const facts = [envelope.tenantId, event.breakId, envelope.occurredAt, event.resolution, position?.topic ?? null, position?.partition ?? null, position?.offset ?? null];
  const updated = await tx.query(
    `UPDATE recon_break_views SET status = 'RESOLVED', resolved_at = $3, resolution = $4, topic = $5, "partition" = $6, "offset" = $7, applied_at = now()
      WHERE merchant_id = $1 AND break_id = $2 AND status = 'OPEN' RETURNING 1`,
    facts,
  );
  if (updated.length === 1) return 'applied';
  const inserted = await tx.query(
    `INSERT INTO recon_break_views (merchant_id, break_id, kind, leg, payment_id, status, resolved_at, resolution, topic, "partition", "offset")
     VALUES ($1, $2, $8, $9, $10, 'RESOLVED', $3, $4, $5, $6, $7) ON CONFLICT (merchant_id, break_id) DO NOTHING RETURNING 1`,
    [...facts, event.kind, event.leg, event.paymentId],
  );
  return inserted.length === 0 ? 'stale' : 'applied';
}
