import type { Pool } from 'pg';
import { verifyChain, type ChainCheckpoint, type ChainStart, type ChainVerdict } from '@txn/audit-domain';
import { inTransaction, type SqlTransaction } from '@txn/sql';
import { AUDIT_RECORD_COLUMNS, recordOf, type AuditRecordRow } from './persistence/rows';

export interface TrailVerification {
  /** One per chain the database holds or a checkpoint names, by chain id. */
  readonly verdicts: readonly ChainVerdict[];
  readonly chainsChecked: number;
}

async function chainIds(tx: SqlTransaction, tenant: string | undefined): Promise<string[]> {
  if (tenant !== undefined) return [tenant];
  const rows = await tx.query<{ chain_id: string }>('SELECT DISTINCT chain_id FROM audit_records UNION SELECT DISTINCT chain_id FROM audit_archives ORDER BY 1');
  return rows.map((row) => row.chain_id);
}

async function startOf(tx: SqlTransaction, chainId: string): Promise<ChainStart | undefined> {
  const [row] = await tx.query<{ up_to_seq: string; last_hash: string }>('SELECT up_to_seq, last_hash FROM audit_archives WHERE chain_id = $1 ORDER BY up_to_seq DESC LIMIT 1', [chainId]);
  return row === undefined ? undefined : { seq: Number(row.up_to_seq), hash: row.last_hash };
}

/**
 * Verifies every chain (or one tenant's) in one REPEATABLE READ snapshot: each walked in stored
 * order, then held against the latest checkpoint read from outside the database. A chain that a
 * checkpoint names and the database does not hold at all is verified as empty (so: TRUNCATED).
 */
export async function verifyTrail(pool: Pool, checkpoints: ReadonlyMap<string, ChainCheckpoint>, tenant?: string): Promise<TrailVerification> {
  return inTransaction(pool, async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const stored = await chainIds(tx, tenant);
    const named = tenant === undefined ? [...checkpoints.keys()] : [];
    const chains = [...new Set([...stored, ...named])].sort();
    const verdicts: ChainVerdict[] = [];
    for (const chainId of chains) {
      const rows = await tx.query<AuditRecordRow>(`SELECT ${AUDIT_RECORD_COLUMNS} FROM audit_records WHERE chain_id = $1 ORDER BY seq, record_id`, [chainId]);
      verdicts.push(verifyChain(chainId, rows.map(recordOf), checkpoints.get(chainId), await startOf(tx, chainId)));
    }
    return { verdicts, chainsChecked: chains.length };
  });
}

/** One saga's whole story: every record whose aggregate or correlation is the booking, in the order things happened. */
export async function sagaTrail(pool: Pool, bookingId: string, limit: number): Promise<AuditRecordRow[]> {
  const result = await pool.query<AuditRecordRow>(
    `SELECT ${AUDIT_RECORD_COLUMNS} FROM audit_records WHERE correlation_id = $1 OR aggregate_id = $1 ORDER BY occurred_at, record_id LIMIT $2`,
    [bookingId, limit],
  );
  return result.rows;
}
