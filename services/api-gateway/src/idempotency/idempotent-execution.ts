import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager } from 'typeorm';
import { ProblemException } from '../http/problem';

/** The claim the current request executes under; set by the interceptor around the handler. */
export interface IdempotentExecution {
  readonly owner: string;
  readonly key: string;
  readonly claimToken: string;
  /** Set once a transaction carrying the `executed` mark has committed: later ones need no fence. */
  fenced: boolean;
}

const current = new AsyncLocalStorage<IdempotentExecution>();

export function runIdempotently<T>(execution: IdempotentExecution, work: () => Promise<T>): Promise<T> {
  return current.run(execution, work);
}

// In platform scope for this one statement (a staff caller's record is `staff:<subject>`, which its
// tenant-scoped transaction could not see); the caller's own scope is set right after.
const FENCE_SCOPE_SQL = `SELECT set_config('app.tenant_id', '', true), set_config('app.platform_admin', 'on', true)`;
const FENCE_SQL = `
  UPDATE idempotency_records SET state = 'executed'
   WHERE merchant_id = $1 AND idempotency_key = $2 AND claim_token = $3 AND state IN ('claimed', 'executed')
  RETURNING 1`;

/**
 * Called first in every TenantTransactions transaction. Outside an idempotent request it does
 * nothing. Inside one, it marks the record `executed` in the handler's own transaction, so the
 * mark commits exactly when the handler's writes (its outbox rows included) commit; it also
 * fences: if the lease ran out and another execution took the claim over, the update finds no
 * row with our token and this transaction is refused before it writes anything.
 */
export async function fenceIdempotentExecution(manager: EntityManager): Promise<IdempotentExecution | undefined> {
  const execution = current.getStore();
  if (execution === undefined || execution.fenced) return undefined;
  await manager.query(FENCE_SCOPE_SQL);
  const marked = (await manager.query(FENCE_SQL, [execution.owner, execution.key, execution.claimToken])) as [unknown[], number] | unknown[];
  const rows = Array.isArray(marked[0]) ? (marked[0] as unknown[]) : (marked as unknown[]);
  if (rows.length === 0) throw ProblemException.of('request-in-progress', 'Another execution took this Idempotency-Key over; this one stopped before changing anything.');
  return execution;
}
