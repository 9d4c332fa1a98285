import type { Pool } from 'pg';
import type { CatchUpRequests } from '../application/ports';

export function catchUpRequestsOn(pool: Pool): CatchUpRequests {
  return {
    async claim(now, lease_ms) {
      const { rows } = await pool.query<{ request_id: string; provider: string; account: string; since: Date }>(
        `UPDATE catch_up_requests SET claimed_until = $1::timestamptz + make_interval(secs => $2::double precision / 1000), claims = claims + 1
          WHERE request_id = (SELECT request_id FROM catch_up_requests WHERE answered_at IS NULL AND claims < 3 AND (claimed_until IS NULL OR claimed_until < $1)
                               ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING request_id, provider, account, since`,
        [now, lease_ms],
      );
      const row = rows[0];
      return row === undefined ? undefined : { requestId: row.request_id, provider: row.provider, account: row.account, since: row.since };
    },
    async answer(requestId, report) {
      await pool.query('UPDATE catch_up_requests SET answered_at = now(), report = $2 WHERE request_id = $1 AND answered_at IS NULL', [requestId, JSON.stringify(report)]);
    },
  };
}
