import { RegisterResource } from '@txn/contracts';
import type { EventPublisher } from '@txn/nest-messaging';
import { fromEntityManager } from '@txn/sql';
import type { EntityManager } from 'typeorm';
import { ResourceViewEntity } from '../../read-models/resource-view.entity';
import { commandEnvelope, type CommandCaller } from '../command-envelope';

/**
 * POST /v1/resources: the row (REQUESTED when new; a registered one keeps its name and shows the
 * rename asked for) and RegisterResource in the outbox, in one transaction. Booking decides.
 */
export async function registerResource(manager: EntityManager, publisher: Pick<EventPublisher, 'publish'>, caller: CommandCaller, resource: { readonly resourceId: string; readonly name: string }, now: Date): Promise<ResourceViewEntity> {
  await manager.query(
    `INSERT INTO resource_views (merchant_id, resource_id, name, status, requested_name, created_at, updated_at)
     VALUES ($1, $2, $3, 'REQUESTED', $3, $4, $4)
     ON CONFLICT (merchant_id, resource_id) DO UPDATE SET requested_name = EXCLUDED.requested_name, updated_at = EXCLUDED.updated_at`,
    [caller.merchantId, resource.resourceId, resource.name, now],
  );
  const command: RegisterResource = { envelope: commandEnvelope(RegisterResource.eventType, resource.resourceId, caller, now), resourceId: resource.resourceId, name: resource.name };
  await publisher.publish(fromEntityManager(manager), RegisterResource, command);
  const row = await manager.findOneBy(ResourceViewEntity, { merchantId: caller.merchantId, resourceId: resource.resourceId });
  if (row === null) throw new Error(`resource ${resource.resourceId} vanished in its own transaction`);
  return row;
}
