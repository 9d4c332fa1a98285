import type { DashboardDefinition } from '../frame';
import { RATE } from '../panels';

// The payment service's calls to the PSP (services/payment/src/application/make-psp-calls and
// resolve-unknown-outcomes); the red bands are money.rules.yml's alert thresholds. Latency is the
// PSP request itself (payment_psp_call_duration_seconds, around the adapter's call).

export const PAYMENTS_PSP: DashboardDefinition = {
  uid: 'txn-payments-psp',
  title: 'Payments: PSP calls',
  description: 'Calls to the PSP by operation and outcome, calls under way, calls parked for a person, and the queries that settle outcomes the PSP did not tell us (runbook: docs/runbooks/payment-outcome-unknown.md).',
  sections: [
    {
      title: 'Are PSP calls going through?',
      panels: [
        {
          kind: 'figure',
          title: 'Calls recorded',
          description: 'Share of PSP call attempts whose answer was recorded, over 5 minutes; the rest are made again later or parked.',
          unit: 'percentunit',
          query: { expr: 'sum(rate(payment_psp_calls_total{outcome="recorded"}[5m])) / sum(rate(payment_psp_calls_total[5m]))' },
        },
        {
          kind: 'figure',
          title: 'Calls under way',
          description: 'PSP calls claimed and not yet recorded, all instances (each bounded by PAYMENT_CALL_BATCH_SIZE). Pinned at the bound: the PSP is slow.',
          unit: 'short',
          query: { expr: 'sum(payment_psp_calls_in_flight)' },
        },
        {
          kind: 'figure',
          title: 'Calls parked for a person',
          description: 'Calls never made again automatically: their answer could not be recorded within the attempt bound, or the PSP kept refusing them. PspCallsParked pages above 0.',
          unit: 'short',
          query: { expr: 'sum(max by (operation) (payment_psp_calls_parked))' },
          bands: { red: 1 },
        },
        {
          kind: 'figure',
          title: 'Unknown outcomes left to a person',
          description: 'Payments whose outcome the PSP never told us and whose query schedule ran out (1 min … 24 h) or whose findings could not be recorded: only a person or a reconciliation run settles them. PaymentOutcomeUnknownUnresolved pages above 0.',
          unit: 'short',
          query: { expr: 'max(payment_outcome_unknown_past_schedule{state="left_to_person"})' },
          bands: { red: 1 },
        },
      ],
    },
    {
      title: 'Calls by operation',
      panels: [
        {
          kind: 'graph',
          title: 'Call attempts by operation and outcome',
          description: 'recorded: answered and recorded; invalid_request and error: made again after a growing delay; parked: never again.',
          unit: 'ops',
          queries: [{ expr: `sum by (operation, outcome) (rate(payment_psp_calls_total${RATE}))`, legend: '{{operation}} {{outcome}}' }],
          stacked: true,
        },
        {
          kind: 'graph',
          title: 'PSP latency by operation (p50, p99)',
          description: 'The PSP request alone, without our database work: tens of milliseconds when the PSP is healthy; a p99 near the call timeout (PSP_TIMEOUT_MS) means calls end as unknown outcomes.',
          unit: 's',
          queries: [
            { expr: `histogram_quantile(0.5, sum by (operation, le) (rate(payment_psp_call_duration_seconds_bucket${RATE})))`, legend: '{{operation}} p50' },
            { expr: `histogram_quantile(0.99, sum by (operation, le) (rate(payment_psp_call_duration_seconds_bucket${RATE})))`, legend: '{{operation}} p99' },
          ],
        },
        {
          kind: 'graph',
          title: 'Calls under way per instance',
          description: 'The dispatcher pipeline of each payment instance; a flat line at the batch size while calls wait is the PSP setting the pace.',
          unit: 'short',
          queries: [{ expr: 'max by (component) (payment_psp_calls_in_flight)', legend: '{{component}}' }],
        },
        {
          kind: 'graph',
          title: 'Parked calls by operation',
          description: 'Calls parked for a person, by operation (every operation always present).',
          unit: 'short',
          queries: [{ expr: 'max by (operation) (payment_psp_calls_parked)', legend: '{{operation}}' }],
          bands: { red: 1 },
        },
        {
          kind: 'graph',
          title: 'Oldest unknown outcome past its schedule',
          description: 'How long the oldest unknown outcome the poller should have settled by now has been unknown; 0 when none is.',
          unit: 's',
          queries: [{ expr: 'max(payment_outcome_unknown_oldest_seconds)', legend: 'oldest' }],
        },
      ],
    },
    {
      title: 'Unknown outcomes',
      panels: [
        {
          kind: 'graph',
          title: 'Past their schedule, by state',
          description: 'overdue: a due query no poller took (the poller stopped, or its database); left_to_person: the queries stopped. Both page above 0.',
          unit: 'short',
          queries: [{ expr: 'max by (state) (payment_outcome_unknown_past_schedule)', legend: '{{state}}' }],
          bands: { red: 1 },
        },
        {
          kind: 'graph',
          title: 'Queries about unknown outcomes: what the PSP said',
          description: 'Queries about calls whose outcome we never heard (timeouts, crashes mid-call), by operation and what the PSP reported; unreachable above half of them (over 2 min) for 2 min is PspUnreachable.',
          unit: 'ops',
          queries: [{ expr: `sum by (operation, finding) (rate(payment_outcome_queries_total${RATE}))`, legend: '{{operation}} {{finding}}' }],
        },
        {
          kind: 'figure',
          title: 'Queries that could not reach the PSP',
          description: 'Share of unknown-outcome queries over 10 minutes whose finding was unreachable: the PSP, or the way to it, is down.',
          unit: 'percentunit',
          query: { expr: 'sum(rate(payment_outcome_queries_total{finding="unreachable"}[10m])) / sum(rate(payment_outcome_queries_total[10m]))' },
          bands: { yellow: 0.1, red: 0.5 },
          width: 'half',
        },
        {
          kind: 'figure',
          title: 'Payments no longer asked about (last hour)',
          description: 'Payments whose findings could not be recorded after repeated queries, in the last hour: flagged for a person (needs_attention).',
          unit: 'short',
          query: { expr: 'sum(increase(payment_outcome_queries_parked_total[1h]))' },
          bands: { red: 1 },
          width: 'half',
        },
      ],
    },
  ],
};
