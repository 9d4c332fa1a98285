import type { Pool } from 'pg';
import type { SqlTransaction } from '@txn/sql';
import type { ExplanationAnswer, ExplanationBook, ExplanationRequest } from '../application/ports';

interface RequestRow {
  readonly request_id: string;
  readonly break_id: string;
  readonly target_code: string | null;
  readonly explained_by: string;
  readonly reason: string;
  readonly attempts: number;
}

/** Requests and breaks' explanations in the ledger's database (migration 007). */
export function explanationStoreOn(pool: Pool): ExplanationBook {
  return {
    async lockUnanswered(tx: SqlTransaction, limit: number): Promise<ExplanationRequest[]> {
      const rows = await tx.query<RequestRow>(
        'SELECT request_id, break_id, target_code, explained_by, reason, attempts FROM suspense_explanation_requests WHERE answered_at IS NULL ORDER BY requested_at, request_id LIMIT $1 FOR UPDATE SKIP LOCKED',
        [limit],
      );
      return rows.map((row) => ({ requestId: row.request_id, breakId: row.break_id, targetCode: row.target_code, explainedBy: row.explained_by, reason: row.reason, attempts: row.attempts }));
    },
    async lockBreakState(tx, breakId) {
      const [row] = await tx.query<{ status: string; explanation_entry_id: string | null }>('SELECT status, explanation_entry_id FROM breaks WHERE break_id = $1 FOR UPDATE', [breakId.toLowerCase()]);
      return row === undefined ? undefined : { explained: row.status === 'EXPLAINED', entryId: row.explanation_entry_id };
    },
    async markExplained(tx, breakId, explanation) {
      await tx.query("UPDATE breaks SET status = 'EXPLAINED', explained_at = $2, explanation = $3, explained_by = $4, explanation_entry_id = $5 WHERE break_id = $1 AND status = 'OPEN'", [
        breakId.toLowerCase(),
        explanation.at,
        explanation.text,
        explanation.by,
        explanation.entryId,
      ]);
    },
    async answer(tx, requestId, answer: ExplanationAnswer, at) {
      await tx.query('UPDATE suspense_explanation_requests SET answered_at = $2, outcome = $3, entry_id = $4, detail = $5 WHERE request_id = $1 AND answered_at IS NULL', [requestId, at, answer.outcome, answer.entryId, answer.detail]);
    },
    async countFailedAttempt(requestId, detail, at, maxAttempts) {
      await pool.query(
        `UPDATE suspense_explanation_requests SET attempts = attempts + 1,
                answered_at = CASE WHEN attempts + 1 >= $4 THEN $3::timestamptz END,
                outcome = CASE WHEN attempts + 1 >= $4 THEN 'FAILED' END,
                detail = $2
          WHERE request_id = $1 AND answered_at IS NULL`,
        [requestId, detail, at, maxAttempts],
      );
    },
  };
}
