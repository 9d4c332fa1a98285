import type { AuditRecord, ChainCheckpoint } from '@txn/audit-domain';
import type { SqlTransaction } from '@txn/sql';
import type { AuditTrail, ChainHead, Checkpoints } from '../application/ports';
import { AUDIT_RECORD_INSERT_COLUMNS, insertParameters } from './rows';

/** One advisory-lock space per purpose: a chain's writers, and the checkpoint turn. */
const CHAIN_LOCK_SPACE = 'audit-chain:';
const CHECKPOINT_TURN = 'audit-checkpoints';
/**
 * Heads are looked for among records written since the last checkpoint less this margin: a
 * transaction that wrote before the last checkpoint but committed after it (bounded by the
 * handler's 15 s timeout) is still seen, and instances' clocks may differ by this much.
 */
const CHECKPOINT_LOOKBACK = '5 minutes';

const INSERT_COLUMNS = AUDIT_RECORD_INSERT_COLUMNS.join(', ');
const INSERT_PLACEHOLDERS = AUDIT_RECORD_INSERT_COLUMNS.map((_column, index) => `$${index + 1}`).join(', ');

export const auditTrailStore: AuditTrail = {
  async lockChain(tx: SqlTransaction, chainId: string): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [CHAIN_LOCK_SPACE + chainId]);
  },

  async head(tx: SqlTransaction, chainId: string): Promise<ChainHead | undefined> {
    const [row] = await tx.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_records WHERE chain_id = $1 ORDER BY seq DESC LIMIT 1', [chainId]);
    return row === undefined ? undefined : { seq: Number(row.seq), hash: row.hash };
  },

  async append(tx: SqlTransaction, record: AuditRecord): Promise<'appended' | 'already-recorded'> {
    const rows = await tx.query(`INSERT INTO audit_records (${INSERT_COLUMNS}) VALUES (${INSERT_PLACEHOLDERS}) ON CONFLICT (event_id) DO NOTHING RETURNING record_id`, insertParameters(record));
    return rows.length === 1 ? 'appended' : 'already-recorded';
  },
};

export const checkpointStore: Checkpoints = {
  async tryTurn(tx: SqlTransaction): Promise<boolean> {
    const [row] = await tx.query<{ taken: boolean }>('SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS taken', [CHECKPOINT_TURN]);
    return row?.taken === true;
  },

  async movedHeads(tx: SqlTransaction, limit: number): Promise<readonly ChainCheckpoint[]> {
    const rows = await tx.query<{ chain_id: string; seq: string; hash: string }>(
      `WITH since AS (
         SELECT COALESCE(max(taken_at) - interval '${CHECKPOINT_LOOKBACK}', '-infinity'::timestamptz) AS at FROM audit_checkpoints
       ), recent AS (
         SELECT DISTINCT ON (r.chain_id) r.chain_id, r.seq, r.hash
           FROM audit_records r, since WHERE r.recorded_at > since.at
          ORDER BY r.chain_id, r.seq DESC
       )
       SELECT recent.chain_id, recent.seq, recent.hash FROM recent
        WHERE recent.seq > COALESCE((SELECT max(c.seq) FROM audit_checkpoints c WHERE c.chain_id = recent.chain_id), 0)
        ORDER BY recent.chain_id
        LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({ chainId: row.chain_id, seq: Number(row.seq), hash: row.hash }));
  },

  async record(tx: SqlTransaction, checkpoint: ChainCheckpoint, takenAt: Date): Promise<void> {
    await tx.query('INSERT INTO audit_checkpoints (chain_id, seq, head_hash, taken_at) VALUES ($1, $2, $3, $4)', [checkpoint.chainId, checkpoint.seq, checkpoint.hash, takenAt]);
  },
};
