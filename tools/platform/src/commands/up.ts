import { infrastructureComponents, type Supervisor } from '@txn/infra-local';

/** What `./platform up [name…]` brings up, in three steps. */
export interface UpPlan {
  /** The infrastructure among the named components and their dependencies, first. */
  readonly infrastructure: readonly string[];
  /** Then the schemas' deploy step: before any service may produce, or when the registry was named. */
  readonly registerSchemas: boolean;
  /** Then the services named (or all, when none is named); never one that was not asked for. */
  readonly services: readonly string[];
}

/** The named components and what they depend on (everything when none is named), split into the three steps. */
export function planUp(supervisor: Pick<Supervisor, 'withDependencies'>, names: readonly string[]): UpPlan {
  const wanted = [...supervisor.withDependencies(names)];
  const infrastructure = new Set(infrastructureComponents.map((component) => component.name));
  const services = wanted.filter((name) => !infrastructure.has(name));
  return {
    infrastructure: wanted.filter((name) => infrastructure.has(name)),
    registerSchemas: names.length === 0 || names.includes('schema-registry') || services.length > 0,
    services,
  };
}
