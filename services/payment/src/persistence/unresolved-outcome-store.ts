import type { Pool } from 'pg';
import type { PastScheduleState, UnresolvedOutcomes } from '../application/ports';

/** A refund of the payment whose outcome is unknown: when it became so, and whether its queries stopped. */
const REFUND_QUERIES = `LEFT JOIN LATERAL (
    SELECT min((r.query->>'since')::timestamptz) AS since, bool_or(r.query->>'alertedAt' IS NOT NULL) AS alerted
      FROM refunds r WHERE r.payment_id = p.payment_id AND r.status = 'OUTCOME_UNKNOWN' AND r.query IS NOT NULL) refund ON true`;
/** When the oldest unknown part of the payment became unknown (LEAST skips nulls). */
const SINCE = `LEAST((p.unknown_outcome->>'since')::timestamptz, (p.psp_sync->>'since')::timestamptz, refund.since)`;

/**
 * Two bounded index scans: due queries no poller took (payments_query_due_idx), and flagged
 * payments whose queries stopped (payments_needs_attention_idx; a parked PSP call or a refused
 * refund flags a payment too, so the unknown part is checked).
 */
const PAST_SCHEDULE_SQL = `
SELECT state, count(*)::int AS n, min(since) AS oldest FROM (
  (SELECT 'overdue' AS state, ${SINCE} AS since FROM payments p ${REFUND_QUERIES}
    WHERE p.query_due_at < $1 ORDER BY p.query_due_at LIMIT $3)
  UNION ALL
  (SELECT 'left_to_person' AS state, ${SINCE} AS since FROM payments p ${REFUND_QUERIES}
    WHERE p.needs_attention AND (p.query_due_at IS NULL OR p.query_due_at >= $1)
      AND (p.unknown_outcome->>'alertedAt' IS NOT NULL OR p.psp_sync->>'alertedAt' IS NOT NULL OR refund.alerted
           OR (p.query_due_at IS NULL AND p.outcome_query_claims >= $2 AND (p.unknown_outcome IS NOT NULL OR p.psp_sync IS NOT NULL OR refund.since IS NOT NULL)))
    LIMIT $3)
) past GROUP BY state`;

/** Unknown outcomes past their schedule, behind the application's port (the gauge reads it at scrape time). */
export function unresolvedOutcomesOn(pool: Pool): UnresolvedOutcomes {
  return {
    async pastSchedule({ overdueBefore, maxClaims, limit }) {
      const { rows } = await pool.query<{ state: PastScheduleState; n: number; oldest: Date | null }>(PAST_SCHEDULE_SQL, [overdueBefore, maxClaims, limit]);
      const oldest = rows.map((row) => row.oldest).filter((at): at is Date => at !== null).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
      return { counts: new Map(rows.map((row) => [row.state, row.n])), oldestSince: oldest };
    },
  };
}
