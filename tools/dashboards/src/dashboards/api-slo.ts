import type { DashboardDefinition } from '../frame';
import { RATE } from '../panels';

// The API's SLOs (docs/operations/slos.md): the recording rules of deploy/prometheus/rules/
// slo.rules.yml, divided by the budget, are the burn rates the alerts page on; the raw
// gateway_http_* series under them show which route is spending it.
const ERROR_BUDGET = 0.001; // availability 99.9 %
const LATENCY_BUDGET = 0.01; // 99 % within 300 ms
const FAST_BURN = 14.4; // 2 % of a 30-day budget in 1 h: page
const SLOW_BURN = 6; // 5 % in 6 h: page
const ROUTE = 'route=~"$route"';

export const API_SLO: DashboardDefinition = {
  uid: 'txn-api-slo',
  title: 'API SLOs and burn rate',
  description: 'Availability (99.9 % not 5xx) and latency (99 % of non-waiting requests within 300 ms) of the api-gateway over 30 days: burn rates against the paging thresholds, and the routes behind them (runbook: docs/runbooks/api-slo.md).',
  variables: [{ name: 'route', label: 'Route', metric: 'gateway_http_requests_total', labelName: 'route' }],
  sections: [
    {
      title: 'Budget burn (what pages)',
      panels: [
        {
          kind: 'figure',
          width: 'half',
          title: 'Answered 5xx (1 h)',
          description: 'Share of API requests answered with a 5xx over the last hour (objective: under 0.1 % over 30 days).',
          unit: 'percentunit',
          query: { expr: 'slo:gateway_errors:ratio_rate1h' },
          bands: { yellow: ERROR_BUDGET, red: FAST_BURN * ERROR_BUDGET },
        },
        {
          kind: 'figure',
          width: 'half',
          title: 'Slower than 300 ms (1 h)',
          description: 'Share of requests that did not ask to wait and took over 300 ms, last hour (objective: under 1 %).',
          unit: 'percentunit',
          query: { expr: 'slo:gateway_slow:ratio_rate1h' },
          bands: { yellow: LATENCY_BUDGET, red: FAST_BURN * LATENCY_BUDGET },
        },
        {
          kind: 'graph',
          title: 'Error budget burn rate',
          description: `5xx ratio ÷ the 0.1 % budget, over 5 min, 30 min, 1 h and 6 h. ApiErrorBudgetFastBurn pages when 1 h and 5 min are both above ${FAST_BURN}, ApiErrorBudgetSlowBurn when 6 h and 30 min are both above ${SLOW_BURN}.`,
          unit: 'short',
          queries: ['5m', '30m', '1h', '6h'].map((window) => ({ expr: `slo:gateway_errors:ratio_rate${window} / ${ERROR_BUDGET}`, legend: window })),
          bands: { yellow: SLOW_BURN, red: FAST_BURN },
        },
        {
          kind: 'graph',
          title: 'Latency budget burn rate',
          description: `Share of non-waiting requests slower than 300 ms ÷ the 1 % budget, over 5 min and 1 h. ApiLatencyBudgetFastBurn pages when both are above ${FAST_BURN}.`,
          unit: 'short',
          queries: ['5m', '1h'].map((window) => ({ expr: `slo:gateway_slow:ratio_rate${window} / ${LATENCY_BUDGET}`, legend: window })),
          bands: { yellow: SLOW_BURN, red: FAST_BURN },
        },
      ],
    },
    {
      title: 'Routes behind it',
      panels: [
        {
          kind: 'graph',
          title: 'Requests by route and status code',
          description: 'Requests answered per second by route template and status code (long-polls included).',
          unit: 'reqps',
          queries: [{ expr: `sum by (route, code) (rate(gateway_http_requests_total{${ROUTE}}${RATE}))`, legend: '{{route}} {{code}}' }],
          stacked: true,
        },
        {
          kind: 'graph',
          title: '5xx by route',
          description: 'Which routes answer 5xx, per second: the error budget spent, route by route.',
          unit: 'reqps',
          queries: [{ expr: `sum by (method, route, code) (rate(gateway_http_requests_total{${ROUTE}, code=~"5.."}${RATE}))`, legend: '{{method}} {{route}} {{code}}' }],
        },
        {
          kind: 'graph',
          title: 'Latency p99 by route (not waiting)',
          description: 'The 99th percentile of requests that did not ask to wait (Prefer: wait long-polls are apart), per route; the objective line is 300 ms.',
          unit: 's',
          queries: [
            {
              expr: `histogram_quantile(0.99, sum by (route, le) (rate(gateway_http_request_duration_seconds_bucket{${ROUTE}, waited="no"}${RATE})))`,
              legend: '{{route}}',
            },
          ],
          bands: { red: 0.3 },
        },
        {
          kind: 'graph',
          title: 'Slower than 300 ms by route (not waiting)',
          description: 'Share of each route\'s non-waiting requests over 300 ms: where the latency budget goes.',
          unit: 'percentunit',
          queries: [
            {
              expr: `1 - sum by (route) (rate(gateway_http_request_duration_seconds_bucket{${ROUTE}, waited="no", le="0.3"}${RATE})) / sum by (route) (rate(gateway_http_request_duration_seconds_count{${ROUTE}, waited="no"}${RATE}))`,
              legend: '{{route}}',
            },
          ],
          bands: { red: LATENCY_BUDGET },
        },
      ],
    },
  ],
};
