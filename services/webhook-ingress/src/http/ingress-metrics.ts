import { Counter, type Registry } from 'prom-client';

/** What the ingress counts: stored deliveries by outcome, refused ones by reason, and those it could not store (answered 503). */
export class IngressMetrics {
  readonly stored: Counter<'provider' | 'outcome'>;
  readonly rejected: Counter<'provider' | 'reason'>;
  /** The ingest SLO's bad events (docs/operations/slos.md): a delivery we could not store, so the PSP must send it again. */
  readonly unavailable: Counter<'provider'>;
  readonly unpublishedTypes: Counter<'provider' | 'event_type'>;

  constructor(registry: Registry) {
    this.stored = new Counter({ name: 'webhook_deliveries_stored_total', help: 'Webhook deliveries stored, by outcome (first, duplicate)', labelNames: ['provider', 'outcome'], registers: [registry] });
    this.rejected = new Counter({ name: 'webhook_deliveries_rejected_total', help: 'Webhook deliveries refused before storing, by reason', labelNames: ['provider', 'reason'], registers: [registry] });
    this.unavailable = new Counter({ name: 'webhook_deliveries_unavailable_total', help: 'Webhook deliveries not stored because we could not (the database down, mostly): answered 503 so the PSP delivers again', labelNames: ['provider'], registers: [registry] });
    this.unpublishedTypes = new Counter({
      name: 'webhook_events_unpublished_total',
      help: 'PSP events stored but not published: a type payment does not consume',
      labelNames: ['provider', 'event_type'],
      registers: [registry],
    });
  }
}
