import { Counter, type Registry } from 'prom-client';

/** What the ingress counts: stored deliveries by outcome, and refused ones by reason. */
export class IngressMetrics {
  readonly stored: Counter<'provider' | 'outcome'>;
  readonly rejected: Counter<'provider' | 'reason'>;
  readonly unpublishedTypes: Counter<'provider' | 'event_type'>;

  constructor(registry: Registry) {
    this.stored = new Counter({ name: 'webhook_deliveries_stored_total', help: 'Webhook deliveries stored, by outcome (first, duplicate)', labelNames: ['provider', 'outcome'], registers: [registry] });
    this.rejected = new Counter({ name: 'webhook_deliveries_rejected_total', help: 'Webhook deliveries refused before storing, by reason', labelNames: ['provider', 'reason'], registers: [registry] });
    this.unpublishedTypes = new Counter({
      name: 'webhook_events_unpublished_total',
      help: 'PSP events stored but not published: a type payment does not consume',
      labelNames: ['provider', 'event_type'],
      registers: [registry],
    });
  }
}
