import { Inject, Injectable } from '@nestjs/common';
import { EventPublisher } from '@txn/nest-messaging';
import type { ResourceViewEntity } from '../read-models/resource-view.entity';
import type { CommandCaller } from './command-envelope';
import { SCOPED_TRANSACTIONS, type ScopedTransactions } from './ports';
import { registerResource } from './register-resource/register-resource';

/** The resource commands the API sends, in one transaction scoped to the caller's merchant. */
@Injectable()
export class ResourceCommands {
  constructor(
    @Inject(SCOPED_TRANSACTIONS) private readonly transactions: ScopedTransactions,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
  ) {}

  register(caller: CommandCaller, resource: { readonly resourceId: string; readonly name: string }, now: Date): Promise<ResourceViewEntity> {
    return this.transactions.run({ kind: 'tenant', tenantId: caller.merchantId }, (manager) => registerResource(manager, this.publisher, caller, resource, now));
  }
}
