import { decideResource, type ResourceDecision } from '@txn/booking-domain';
import { ResourceRegistered, type RegisterResource } from '@txn/contracts';
import type { SqlTransaction } from '@txn/sql';
import type { ResourceStore } from './resource-ports';

/** How the use case publishes ResourceRegistered (the outbox, in the inbox transaction). */
export interface ResourceEvents {
  publish(tx: SqlTransaction, event: ResourceRegistered): Promise<void>;
}

export interface RegisterResourceDependencies {
  readonly resources: ResourceStore;
  readonly events: ResourceEvents;
  readonly producer: string;
  readonly now: Date;
}

export interface RegisterResourceOutcome {
  readonly outcome: 'applied' | 'rejected';
  readonly decision: ResourceDecision;
}

/**
 * RegisterResource: a resource of the envelope's tenant made to exist (or renamed, or confirmed as
 * it is), and ResourceRegistered published in the same transaction. The row is locked for the decision; an
 * insert that loses a race with a concurrent registration of the same id decides again.
 */
export async function registerResource(tx: SqlTransaction, command: RegisterResource, dependencies: RegisterResourceDependencies): Promise<RegisterResourceOutcome> {
  const { tenantId, actor } = command.envelope;
  let decision = decideResource(await dependencies.resources.findForUpdate(tx, tenantId, command.resourceId), command, actor, tenantId);
  if (decision.kind === 'create' && !(await dependencies.resources.insert(tx, decision.resource))) {
    decision = decideResource(await dependencies.resources.findForUpdate(tx, tenantId, command.resourceId), command, actor, tenantId);
  }
  if (decision.kind === 'refused') return { outcome: 'rejected', decision };
  // Unchanged still answers with ResourceRegistered (created: false): whoever asked (the gateway
  // showing REQUESTED) hears that the resource is registered as asked.
  if (decision.kind === 'rename') await dependencies.resources.rename(tx, decision.resource);
  await dependencies.events.publish(tx, resourceRegistered(command, decision.resource.name, decision.kind === 'create', dependencies));
  return { outcome: 'applied', decision };
}

function resourceRegistered(command: RegisterResource, name: string, created: boolean, dependencies: RegisterResourceDependencies): ResourceRegistered {
  const { envelope } = command;
  return {
    envelope: {
      // Derived from the command: a redelivered command that decides again is the same event.
      eventId: envelope.eventId,
      eventType: ResourceRegistered.eventType,
      occurredAt: dependencies.now,
      producer: dependencies.producer,
      aggregateId: command.resourceId,
      aggregateVersion: 1n,
      correlationId: envelope.correlationId,
      causationId: envelope.eventId,
      actor: envelope.actor,
      tenantId: envelope.tenantId,
    },
    resourceId: command.resourceId,
    name,
    created,
  };
}
