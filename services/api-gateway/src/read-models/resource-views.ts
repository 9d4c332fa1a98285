import type { ResourceRegistered } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import { MoreThan } from 'typeorm';
import { Inject, Injectable } from '@nestjs/common';
import { SCOPE_TRANSACTION_SQL, TenantTransactions } from '../persistence/tenant-transactions';
import { decodeCursor, encodeCursor } from './cursor';
import type { ProjectionOutcome } from './event-facts';
import { ResourceViewEntity } from './resource-view.entity';

/**
 * ResourceRegistered onto the resource's row, scoped to the event's merchant: REGISTERED with the
 * name booking registered; a pending rename to that name is done. An event older than the one the
 * row reflects (by booking's time) changes nothing.
 */
export async function applyResourceRegistered(tx: SqlTransaction, event: ResourceRegistered): Promise<ProjectionOutcome> {
  const { tenantId, eventId, occurredAt } = event.envelope;
  await tx.query(SCOPE_TRANSACTION_SQL, [tenantId, 'off']);
  const changed = await tx.query(
    `INSERT INTO resource_views (merchant_id, resource_id, name, status, last_event_id, last_event_at, created_at, updated_at)
     VALUES ($1, $2, $3, 'REGISTERED', $4, $5, $5, $5)
     ON CONFLICT (merchant_id, resource_id) DO UPDATE
       SET name = EXCLUDED.name, status = 'REGISTERED', last_event_id = EXCLUDED.last_event_id, last_event_at = EXCLUDED.last_event_at, updated_at = now(),
           requested_name = CASE WHEN resource_views.requested_name = EXCLUDED.name THEN NULL ELSE resource_views.requested_name END
       WHERE resource_views.last_event_at IS NULL OR resource_views.last_event_at <= EXCLUDED.last_event_at
     RETURNING resource_id`,
    [tenantId, event.resourceId, event.name, eventId, occurredAt],
  );
  return changed.length === 1 ? 'applied' : 'stale';
}

/** Reads of a merchant's resources, in a transaction scoped to it. */
@Injectable()
export class ResourceReads {
  constructor(@Inject(TenantTransactions) private readonly transactions: TenantTransactions) {}

  one(merchantId: string, resourceId: string): Promise<ResourceViewEntity | null> {
    return this.transactions.run({ kind: 'tenant', tenantId: merchantId }, (manager) => manager.findOneBy(ResourceViewEntity, { merchantId, resourceId }));
  }

  /** By id, a page after the cursor's id. */
  async page(merchantId: string, limit: number, cursor: string | undefined): Promise<{ rows: ResourceViewEntity[]; nextCursor: string | null }> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor).id;
    const found = await this.transactions.run({ kind: 'tenant', tenantId: merchantId }, (manager) =>
      manager.find(ResourceViewEntity, { where: { merchantId, ...(after === undefined ? {} : { resourceId: MoreThan(after) }) }, order: { resourceId: 'ASC' }, take: limit + 1 }),
    );
    const rows = found.slice(0, limit);
    const last = rows.at(-1);
    return { rows, nextCursor: found.length > limit && last !== undefined ? encodeCursor({ at: last.createdAt, id: last.resourceId }) : null };
  }
}
