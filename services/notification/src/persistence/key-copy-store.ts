import type { SqlTransaction } from '@txn/sql';
import type { CustomerKeyCopies, KeyCopy } from '../application/ports';

async function record(tx: SqlTransaction, key: { keyId: string; tenantId: string; customerId: string; masterKeyId: string; wrapped: string }): Promise<boolean> {
  const rows = await tx.query(
    // Read again after a master key rotation (same key, new wrapping): the copy follows; an erased key stays erased.
    `INSERT INTO customer_data_keys (key_id, tenant_id, customer_id, master_key_id, wrapped_key) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (key_id) DO UPDATE SET master_key_id = EXCLUDED.master_key_id, wrapped_key = EXCLUDED.wrapped_key
     WHERE customer_data_keys.erased_at IS NULL AND customer_data_keys.wrapped_key IS DISTINCT FROM EXCLUDED.wrapped_key RETURNING 1`,
    [key.keyId, key.tenantId, key.customerId, key.masterKeyId, key.wrapped],
  );
  return rows.length === 1;
}

async function erase(tx: SqlTransaction, key: { keyId: string; tenantId: string; customerId: string }): Promise<boolean> {
  const rows = await tx.query(
    `INSERT INTO customer_data_keys (key_id, tenant_id, customer_id, master_key_id, wrapped_key, erased_at) VALUES ($1, $2, $3, NULL, NULL, now())
     ON CONFLICT (key_id) DO UPDATE SET wrapped_key = NULL, master_key_id = NULL, erased_at = now() WHERE customer_data_keys.erased_at IS NULL RETURNING 1`,
    [key.keyId, key.tenantId, key.customerId],
  );
  return rows.length === 1;
}

async function find(tx: SqlTransaction, keyId: string): Promise<KeyCopy | undefined> {
  const [row] = await tx.query<{ tenant_id: string; customer_id: string; master_key_id: string | null; wrapped_key: string | null }>('SELECT tenant_id, customer_id, master_key_id, wrapped_key FROM customer_data_keys WHERE key_id = $1', [keyId]);
  if (row === undefined) return undefined;
  if (row.wrapped_key === null || row.master_key_id === null) return { state: 'erased' };
  return { state: 'held', tenantId: row.tenant_id, customerId: row.customer_id, masterKeyId: row.master_key_id, wrapped: row.wrapped_key };
}

/** The key copies' SQL behind the application's port. */
export const customerKeyCopyStore: CustomerKeyCopies = { record, erase, find };
