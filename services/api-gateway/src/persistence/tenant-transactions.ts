import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { fenceIdempotentExecution } from '../idempotency/idempotent-execution';

/**
 * Whose rows a transaction may see. Row-level security in PostgreSQL enforces it (migration 1's
 * policies read `app.tenant_id` and `app.platform_admin`): a query that forgets its
 * `merchant_id` filter still finds only the caller's rows.
 */
export type TenantScope = { readonly kind: 'tenant'; readonly tenantId: string } | { readonly kind: 'platform' };

export const TENANT_ID_SETTING = 'app.tenant_id';
export const PLATFORM_ADMIN_SETTING = 'app.platform_admin';

/** The SQL that scopes the current transaction (`set_config(…, true)`: it ends with the transaction). */
export const SCOPE_TRANSACTION_SQL = `SELECT set_config('${TENANT_ID_SETTING}', $1, true), set_config('${PLATFORM_ADMIN_SETTING}', $2, true)`;

export function scopeParameters(scope: TenantScope): [string, string] {
  return scope.kind === 'tenant' ? [scope.tenantId, 'off'] : ['', 'on'];
}

/** Every read and write of the gateway's tables runs in one of these: a TypeORM transaction scoped to a tenant. */
@Injectable()
export class TenantTransactions {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /**
   * Inside an `@Idempotent` request, the first transaction also marks the key's record executed
   * (and is refused if the claim was taken over): the mark commits with the handler's writes
   * and outbox rows, or not at all (decision 0026).
   */
  async run<T>(scope: TenantScope, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const { result, fenced } = await this.dataSource.transaction(async (manager) => {
      const execution = await fenceIdempotentExecution(manager);
      await manager.query(SCOPE_TRANSACTION_SQL, scopeParameters(scope));
      return { result: await work(manager), fenced: execution };
    });
    if (fenced !== undefined) fenced.fenced = true;
    return result;
  }
}
