import { Inject, Injectable } from '@nestjs/common';
import { TenantTransactions } from '../persistence/tenant-transactions';
import { ProblemException } from '../http/problem';
import { decodeCursor, encodeCursor } from './cursor';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface ReconBreakRow {
  readonly breakId: string;
  readonly kind: string;
  readonly leg: string;
  readonly paymentId: string | null;
  readonly pspObjectId: string | null;
  readonly detail: string | null;
  readonly explanation: string | null;
  readonly evidence: unknown;
  readonly status: 'OPEN' | 'RESOLVED';
  readonly raisedAt: Date | null;
  readonly resolvedAt: Date | null;
  readonly resolution: string | null;
}

export interface ReconBreakFilter {
  readonly status: 'OPEN' | 'RESOLVED' | undefined;
  readonly kind: string | undefined;
  readonly leg: string | undefined;
}

interface Row {
  break_id: string;
  kind: string;
  leg: string;
  payment_id: string | null;
  psp_object_id: string | null;
  detail: string | null;
  explanation: string | null;
  evidence: unknown;
  status: 'OPEN' | 'RESOLVED';
  raised_at: Date | null;
  resolved_at: Date | null;
  resolution: string | null;
  sort_at: Date;
}

// Oldest first: the break that has waited longest for a person leads.
const LIST_SQL = `
  SELECT *, COALESCE(raised_at, resolved_at) AS sort_at FROM recon_break_views
   WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR leg = $3)
     AND ($4::timestamptz IS NULL OR (COALESCE(raised_at, resolved_at), break_id) > ($4::timestamptz, $5::uuid))
   ORDER BY COALESCE(raised_at, resolved_at), break_id
   LIMIT $6`;

/** Finance's view of reconciliation's breaks, in the caller's merchant scope (row-level security), with cursor pages. */
@Injectable()
export class ReconBreaks {
  constructor(@Inject(TenantTransactions) private readonly transactions: TenantTransactions) {}

  list(merchantId: string, filter: ReconBreakFilter, limit: number, cursor: string | undefined): Promise<{ breaks: ReconBreakRow[]; nextCursor: string | null; lastAppliedAt: Date | null }> {
    const after = cursor === undefined ? null : decodeCursor(cursor);
    if (after !== null && !UUID.test(after.id)) throw ProblemException.of('validation-failed', 'The cursor is not one this API gave out.');
    return this.transactions.run({ kind: 'tenant', tenantId: merchantId }, async (manager) => {
      const rows = (await manager.query(LIST_SQL, [filter.status ?? null, filter.kind ?? null, filter.leg ?? null, after?.at ?? null, after?.id ?? null, limit + 1])) as Row[];
      const [applied] = (await manager.query('SELECT max(applied_at) AS at FROM recon_break_views')) as { at: Date | null }[];
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        breaks: page.map((row) => ({
          breakId: row.break_id,
          kind: row.kind,
          leg: row.leg,
          paymentId: row.payment_id,
          pspObjectId: row.psp_object_id,
          detail: row.detail,
          explanation: row.explanation,
          evidence: row.evidence,
          status: row.status,
          raisedAt: row.raised_at,
          resolvedAt: row.resolved_at,
          resolution: row.resolution,
        })),
        nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ at: last.sort_at, id: last.break_id }) : null,
        lastAppliedAt: applied?.at ?? null,
      };
    });
  }
}
