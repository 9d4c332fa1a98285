import type { Pool } from 'pg';
import type { SqlTransaction } from '@txn/sql';
import type { OpenBreaks, PspBreak, PspBreaks, ResolvedBreak, UnmatchedPspEvent, UnmatchedPspEvents } from '../application/ports';

export const pspBreakStore: PspBreaks = {
  async raise(tx: SqlTransaction, breakId: string, found: PspBreak): Promise<boolean> {
    const rows = await tx.query(
      `INSERT INTO psp_breaks (break_id, kind, leg, payment_id, tenant_id, psp_object_id, psp_event_id, detail, explanation, evidence)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (break_id) DO NOTHING RETURNING 1`,
      [breakId, found.kind, found.leg ?? 'PSP_PAYMENTS', found.paymentId, found.tenantId, found.pspObjectId, found.pspEventId, found.detail, found.explanation ?? null, found.evidence === undefined || found.evidence === null ? null : JSON.stringify(found.evidence)],
    );
    return rows.length === 1;
  },
  async resolveOf(tx: SqlTransaction, paymentIds: readonly string[], keep: readonly string[], resolution: string): Promise<readonly ResolvedBreak[]> {
    if (paymentIds.length === 0) return [];
    const rows = await tx.query<{ break_id: string; kind: string; leg: string; payment_id: string | null; booking_id: string | null; tenant_id: string | null }>(
      `UPDATE psp_breaks SET resolved_at = now(), resolution = $3
        WHERE payment_id = ANY($1::uuid[]) AND NOT (break_id = ANY($2::uuid[])) AND resolved_at IS NULL AND kind NOT IN ('DISPUTE_OPENED', 'UNKNOWN_PSP_OBJECT')
        RETURNING break_id, kind, leg, payment_id, tenant_id, (SELECT p.booking_id FROM payments p WHERE p.payment_id = psp_breaks.payment_id) AS booking_id`,
      [paymentIds, keep, resolution],
    );
    return rows.map((row) => ({ breakId: row.break_id, kind: row.kind, leg: row.leg, paymentId: row.payment_id, bookingId: row.booking_id, tenantId: row.tenant_id }));
  },
};

export function openBreaksOn(pool: Pool): OpenBreaks {
  return {
    async openByKind() {
      const { rows } = await pool.query<{ kind: string; n: number; oldest: Date | null }>(
        'SELECT kind, count(*)::int AS n, min(raised_at) AS oldest FROM psp_breaks WHERE resolved_at IS NULL GROUP BY kind',
      );
      const oldest = rows.map((row) => row.oldest).filter((at): at is Date => at !== null).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
      return { counts: new Map(rows.map((row) => [row.kind, row.n])), oldestRaisedAt: oldest };
    },
  };
}

interface UnmatchedRow {
  readonly psp_event_id: string;
  readonly psp_event_type: string;
  readonly psp_object_type: string;
  readonly psp_object_id: string;
  readonly psp_payment_intent_id: string | null;
  readonly psp_charge_id: string | null;
  readonly tenant_id: string | null;
  readonly checks: number;
}

export const unmatchedEventStore: UnmatchedPspEvents = {
  async keep(tx: SqlTransaction, event: UnmatchedPspEvent, checkAt: Date): Promise<void> {
    await tx.query(
      `INSERT INTO psp_unmatched_events (psp_event_id, psp_event_type, psp_object_type, psp_object_id, psp_payment_intent_id, psp_charge_id, tenant_id, next_check_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (psp_event_id) DO NOTHING`,
      [event.pspEventId, event.pspEventType, event.pspObjectType, event.pspObjectId, event.pspPaymentIntentId, event.pspChargeId, event.tenantId, checkAt],
    );
  },
  async claimDue(tx: SqlTransaction, now: Date, limit: number, lease_ms: number) {
    const rows = await tx.query<UnmatchedRow>(
      `UPDATE psp_unmatched_events SET next_check_at = $2::timestamptz + make_interval(secs => $3::double precision / 1000), checks = checks + 1
       WHERE psp_event_id IN (
         SELECT psp_event_id FROM psp_unmatched_events WHERE next_check_at <= $2 ORDER BY next_check_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING psp_event_id, psp_event_type, psp_object_type, psp_object_id, psp_payment_intent_id, psp_charge_id, tenant_id, checks`,
      [limit, now, lease_ms],
    );
    return rows.map((row) => ({
      pspEventId: row.psp_event_id,
      pspEventType: row.psp_event_type,
      pspObjectType: row.psp_object_type,
      pspObjectId: row.psp_object_id,
      pspPaymentIntentId: row.psp_payment_intent_id,
      pspChargeId: row.psp_charge_id,
      tenantId: row.tenant_id,
      checks: row.checks,
    }));
  },
  async close(tx: SqlTransaction, pspEventId: string, outcome: 'MATCHED' | 'BREAK', paymentId: string | null): Promise<void> {
    await tx.query('UPDATE psp_unmatched_events SET outcome = $2, payment_id = $3, next_check_at = NULL WHERE psp_event_id = $1 AND outcome IS NULL', [pspEventId, outcome, paymentId]);
  },
};
