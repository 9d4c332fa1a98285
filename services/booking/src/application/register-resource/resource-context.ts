import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { ResourceEvents } from './register-resource';
import type { RefundPolicyEvents } from '../set-refund-policy/set-refund-policy';
import type { ResourceStore } from './resource-ports';

/** What the tenant-level commands (resources, refund policies) need: the store, the outbox, the decisions counter, the logger. */
export interface ResourceContext {
  readonly resources: ResourceStore;
  readonly events: ResourceEvents;
  readonly policyEvents: RefundPolicyEvents;
  readonly producer: string;
  readonly decisions: Pick<Counter<'message_type' | 'outcome' | 'reason'>, 'inc'>;
  readonly logger: Pick<Logger, 'info'>;
}

export const RESOURCE_CONTEXT = Symbol('booking-resource-context');
