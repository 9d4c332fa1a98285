import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { TENANT_ID_SETTING, PLATFORM_ADMIN_SETTING, scopeParameters, type TenantScope } from '../persistence/tenant-transactions';
import { IdempotencyRecordEntity } from './idempotency-record.entity';

const SCOPE_WITHOUT_FLUSH_SQL = `SELECT set_config('${TENANT_ID_SETTING}', $1, true), set_config('${PLATFORM_ADMIN_SETTING}', $2, true), set_config('synchronous_commit', 'off', true)`;

/** Whose keys these are: a merchant's, or one staff user's (platform scope). */
export interface KeyOwner {
  readonly owner: string;
  readonly scope: TenantScope;
}

export interface ClaimRequest {
  readonly key: string;
  readonly requestHash: string;
  readonly method: string;
  readonly path: string;
  readonly lease_ms: number;
  readonly retention_ms: number;
}

export interface StoredResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text, or null for an empty body. */
  readonly body: string | null;
}

export type ClaimResult = { readonly claimed: true; readonly claimToken: string } | { readonly claimed: false; readonly record: IdempotencyRecordEntity };

/**
 * The records' reads and writes, each in its own short committed transaction (never the
 * handler's): a claim must be visible to every other request before the handler starts.
 */
@Injectable()
export class IdempotencyStore {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** INSERT … ON CONFLICT DO NOTHING: exactly one of any number of concurrent requests inserts; the others read what it wrote. */
  async claim(owner: KeyOwner, request: ClaimRequest): Promise<ClaimResult> {
    const claimToken = randomUUID();
    return this.within(owner, async (manager) => {
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(IdempotencyRecordEntity)
        .values({
          merchantId: owner.owner,
          idempotencyKey: request.key,
          requestHash: request.requestHash,
          method: request.method,
          path: request.path,
          state: 'claimed',
          claimToken,
          leaseUntil: () => `now() + make_interval(secs => ${request.lease_ms / 1000})`,
          expiresAt: () => `now() + make_interval(secs => ${request.retention_ms / 1000})`,
        })
        .orIgnore()
        .returning(['claimToken'])
        .execute();
      if (inserted.raw.length > 0) return { claimed: true, claimToken };
      const record = await manager.findOneByOrFail(IdempotencyRecordEntity, { merchantId: owner.owner, idempotencyKey: request.key });
      return { claimed: false, record };
    });
  }

  /** Takes over a claim whose process died before executing: only if it is still the claim we read (compare-and-set on the token). */
  async takeOver(owner: KeyOwner, key: string, staleToken: string, lease_ms: number): Promise<string | undefined> {
    const claimToken = randomUUID();
    const result = await this.within(owner, (manager) =>
      manager
        .createQueryBuilder()
        .update(IdempotencyRecordEntity)
        .set({ claimToken, leaseUntil: () => `now() + make_interval(secs => ${lease_ms / 1000})` })
        .where({ merchantId: owner.owner, idempotencyKey: key, claimToken: staleToken, state: 'claimed' })
        .andWhere('lease_until <= now()')
        .execute(),
    );
    return result.affected === 1 ? claimToken : undefined;
  }

  /** Stores the first response, if the claim is still ours; false when it is not (taken over). */
  async complete(owner: KeyOwner, key: string, claimToken: string, response: StoredResponse, retention_ms: number): Promise<boolean> {
    const result = await this.within(owner, (manager) =>
      manager
        .createQueryBuilder()
        .update(IdempotencyRecordEntity)
        .set({
          state: 'completed',
          responseStatus: response.status,
          responseHeaders: response.headers as Record<string, string>,
          responseBody: response.body,
          completedAt: () => 'now()',
          expiresAt: () => `now() + make_interval(secs => ${retention_ms / 1000})`,
        })
        .where({ merchantId: owner.owner, idempotencyKey: key, claimToken })
        .andWhere("state IN ('claimed', 'executed')")
        .execute(),
    );
    return result.affected === 1;
  }

  /** Gives the key back when nothing began (a refused body): only a claim never marked executed. False if it was executed. */
  async release(owner: KeyOwner, key: string, claimToken: string): Promise<boolean> {
    const result = await this.within(owner, (manager) => manager.delete(IdempotencyRecordEntity, { merchantId: owner.owner, idempotencyKey: key, claimToken, state: 'claimed' }));
    return result.affected === 1;
  }

  /**
   * The records' own transactions commit without waiting for the WAL flush (synchronous_commit
   * off, in the same statement that scopes them: no extra round trip). Safe here: the handler's
   * transaction, which commits synchronously, flushes the WAL up to its commit and so every earlier
   * claim and take-over with it — the fence can never pass on a claim a crash could lose. A
   * crash of PostgreSQL can lose only a recent `completed`, and that key's retries are then
   * answered as an outcome lost (a recorded 500), never executed twice (decision 0026).
   */
  private within<T>(owner: KeyOwner, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(SCOPE_WITHOUT_FLUSH_SQL, scopeParameters(owner.scope));
      return work(manager);
    });
  }
}
