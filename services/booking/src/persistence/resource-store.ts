import type { Resource } from '@txn/booking-domain';
import type { ResourceStore } from '../application/register-resource/resource-ports';

interface ResourceRow {
  readonly tenant_id: string;
  readonly resource_id: string;
  readonly name: string;
}

/** The resources table: created by RegisterResource, renamed, never deleted (bookings name them). */
export const resourceStore: ResourceStore = {
  async findForUpdate(tx, tenantId, resourceId) {
    const [row] = await tx.query<ResourceRow>('SELECT tenant_id, resource_id, name FROM resources WHERE tenant_id = $1 AND resource_id = $2 FOR UPDATE', [tenantId, resourceId]);
    return row === undefined ? undefined : { tenantId: row.tenant_id, resourceId: row.resource_id, name: row.name };
  },
  async insert(tx, resource: Resource) {
    const inserted = await tx.query('INSERT INTO resources (tenant_id, resource_id, name) VALUES ($1, $2, $3) ON CONFLICT (tenant_id, resource_id) DO NOTHING RETURNING resource_id', [resource.tenantId, resource.resourceId, resource.name]);
    return inserted.length === 1;
  },
  async rename(tx, resource) {
    await tx.query('UPDATE resources SET name = $3 WHERE tenant_id = $1 AND resource_id = $2', [resource.tenantId, resource.resourceId, resource.name]);
  },
};
