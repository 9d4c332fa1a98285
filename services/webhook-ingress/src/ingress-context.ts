import type { Logger } from 'pino';
import type { DeliveryStore } from './application/ports';
import type { IngressMetrics } from './http/ingress-metrics';
import type { IngressSettings } from './settings';

/** What the ingress' adapters share. */
export interface IngressContext {
  readonly settings: IngressSettings;
  readonly store: DeliveryStore;
  readonly metrics: IngressMetrics;
  readonly logger: Logger;
}

export const INGRESS_CONTEXT = Symbol('webhook-ingress-context');
