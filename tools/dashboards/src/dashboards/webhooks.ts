import type { DashboardDefinition } from '../frame';
import { RATE } from '../panels';

// In: the PSP's webhooks at webhook-ingress (services/webhook-ingress/src/http/ingress-metrics.ts).
// Out: our deliveries to merchants' endpoints by the notification service (its module's counters).

export const WEBHOOKS: DashboardDefinition = {
  uid: 'txn-webhooks',
  title: 'Webhooks in and out',
  description: "The PSP's webhooks we receive (stored, duplicates, refused and why) and the webhooks we deliver to merchants (attempts by outcome, their duration); ./platform notifications deliveries | replay, ./platform ingress catch-up.",
  sections: [
    {
      title: 'Now',
      panels: [
        {
          kind: 'figure',
          title: 'PSP deliveries refused',
          description: 'Share of PSP deliveries refused before storing, over 5 minutes. The PSP retries a refused delivery; one we keep refusing is an event we never see (./platform ingress catch-up).',
          unit: 'percentunit',
          query: { expr: 'sum(rate(webhook_deliveries_rejected_total[5m])) / (sum(rate(webhook_deliveries_rejected_total[5m])) + sum(rate(webhook_deliveries_stored_total[5m])))' },
          bands: { yellow: 0.01, red: 0.05 },
        },
        {
          kind: 'figure',
          title: 'PSP events stored (last hour)',
          description: 'New PSP events stored in the last hour (duplicates not counted). None for long while payments happen: the PSP cannot reach us.',
          unit: 'short',
          query: { expr: 'sum(increase(webhook_deliveries_stored_total{outcome="first"}[1h]))' },
        },
        {
          kind: 'figure',
          title: 'Stored, not published (last hour)',
          description: 'PSP events stored whose type payment does not consume: harmless unless the PSP added a type we need.',
          unit: 'short',
          query: { expr: 'sum(increase(webhook_events_unpublished_total[1h]))' },
        },
        {
          kind: 'figure',
          title: 'Merchant deliveries succeeded',
          description: 'Share of delivery attempts to merchants that succeeded, over 5 minutes. Failures are retried; a merchant endpoint down shows here first.',
          unit: 'percentunit',
          query: { expr: 'sum(rate(notification_webhook_attempts_total{outcome="SUCCEEDED"}[5m])) / sum(rate(notification_webhook_attempts_total[5m]))' },
        },
      ],
    },
    {
      title: 'In: the PSP to webhook-ingress',
      panels: [
        {
          kind: 'graph',
          title: 'Deliveries stored',
          description: 'PSP deliveries stored per second, by provider and outcome: first (new) or duplicate (the PSP sent it again; stored once).',
          unit: 'ops',
          queries: [{ expr: `sum by (provider, outcome) (rate(webhook_deliveries_stored_total${RATE}))`, legend: '{{provider}} {{outcome}}' }],
          stacked: true,
        },
        {
          kind: 'graph',
          title: 'Deliveries refused',
          description: 'Deliveries refused before storing, by reason (missing_signature, unknown_account, body_too_large, content_type …). A burst of signature refusals after a deploy: look at the signing secret.',
          unit: 'ops',
          queries: [{ expr: `sum by (provider, reason) (rate(webhook_deliveries_rejected_total${RATE}))`, legend: '{{provider}} {{reason}}' }],
        },
      ],
    },
    {
      title: 'Out: notification to merchants',
      panels: [
        {
          kind: 'graph',
          title: 'Delivery attempts by outcome',
          description: 'Attempts per second: SUCCEEDED, HTTP_ERROR (the endpoint answered non-2xx), TIMEOUT, CONNECTION_ERROR, ADDRESS_REFUSED (the address filter refused where the endpoint resolves).',
          unit: 'ops',
          queries: [{ expr: `sum by (outcome) (rate(notification_webhook_attempts_total${RATE}))`, legend: '{{outcome}}' }],
          stacked: true,
        },
        {
          kind: 'graph',
          title: 'Attempt duration (p50, p99)',
          description: "From connecting to the endpoint to the answer's bounded excerpt, by outcome. TIMEOUTs sit at the attempt's time bound.",
          unit: 's',
          queries: [
            { expr: `histogram_quantile(0.99, sum by (outcome, le) (rate(notification_webhook_attempt_seconds_bucket${RATE})))`, legend: 'p99 {{outcome}}' },
            { expr: `histogram_quantile(0.5, sum by (outcome, le) (rate(notification_webhook_attempt_seconds_bucket${RATE})))`, legend: 'p50 {{outcome}}' },
          ],
        },
      ],
    },
  ],
};
