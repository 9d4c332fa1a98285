import type { EventContractSpec } from '@txn/contracts';
import type { AvroSchemaDefinition } from '@txn/messaging';

/** The event contracts a consumer can read, by event type (default: @txn/contracts' EVENT_TYPES). */
export type ContractCatalogue = Readonly<Record<string, Pick<EventContractSpec, 'eventType' | 'fullName' | 'schema'>>>;

/** What to do with a message of a known event type that no `@EventPattern` handles. */
export type UnhandledEventTypePolicy = 'ignore' | 'park';

/**
 * The reader schema for a writer's full record name: the contract's schema, so the writer's
 * version is resolved into the one this service was built with. `undefined` (the runtime then
 * parks the message as undecodable) for a type no contract knows, and, under the `park` policy,
 * for a type no handler takes.
 */
export function contractReaderSchemas(
  contracts: ContractCatalogue,
  policy: UnhandledEventTypePolicy,
  isHandled: (eventType: string) => boolean,
): (writerFullName: string) => AvroSchemaDefinition | undefined {
  const byFullName = new Map(Object.values(contracts).map((contract) => [contract.fullName, contract] as const));
  return (writerFullName) => {
    const contract = byFullName.get(writerFullName);
    if (contract === undefined) return undefined;
    if (policy === 'park' && !isHandled(contract.eventType)) return undefined;
    return contract.schema;
  };
}
