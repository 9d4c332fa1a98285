import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { ResourceEvents } from './register-resource';
import type { ResourceStore } from './resource-ports';

/** What the resource commands need: the store, the outbox, the decisions counter, the logger. */
export interface ResourceContext {
  readonly resources: ResourceStore;
  readonly events: ResourceEvents;
  readonly producer: string;
  readonly decisions: Pick<Counter<'message_type' | 'outcome' | 'reason'>, 'inc'>;
  readonly logger: Pick<Logger, 'info'>;
}

export const RESOURCE_CONTEXT = Symbol('booking-resource-context');
