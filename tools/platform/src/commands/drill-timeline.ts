import { PLATFORM_SERVICES, prometheusUrl, type PlatformConfig } from '@txn/infra-local';

// What an on-call engineer would have seen during a drill: a few figures from Prometheus and the
// alerts' states, sampled every few seconds, and each alert's pending → firing → resolved times.

/** Figures sampled from Prometheus, by name: each query's series as `labels → value`. */
export const DRILL_FIGURES: Readonly<Record<string, string>> = {
  pspCallsPerSecond: 'sum by (outcome) (rate(payment_psp_calls_total[1m]))',
  pspCallsInFlight: 'sum(payment_psp_calls_in_flight)',
  pspCallsParked: 'max(payment_psp_calls_parked)',
  outcomeQueriesPerSecond: 'sum by (finding) (rate(payment_outcome_queries_total[1m]))',
  outcomeUnknownPastSchedule: 'sum by (state) (payment_outcome_unknown_past_schedule)',
  sagasOverdue: 'max(booking_sagas_overdue)',
  sagaTimeoutsPerMinute: 'sum by (stage) (increase(booking_saga_timeouts_total[1m]))',
  apiRequestsPerSecond: 'sum by (code) (rate(gateway_http_requests_total[1m]))',
  consumerTimeLag_s: 'max by (group) (kafka_consumergroup_lag_seconds{group=~"booking|payment|ledger|api-gateway|audit|notification"})',
  outboxOldestUnsent_s: 'max by (service) (outbox_oldest_unsent_age_seconds)',
};

export interface TimelineSample {
  /** Seconds since the drill started. */
  readonly t_s: number;
  readonly at: string;
  readonly figures: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** `alertname{key labels}` → pending | firing. */
  readonly alerts: Readonly<Record<string, 'pending' | 'firing'>>;
}

export interface AlertTransition {
  readonly alert: string;
  readonly pending_s: number | undefined;
  readonly firing_s: number | undefined;
  /** First sample without it after it was seen; undefined if still active at the end. */
  readonly resolved_s: number | undefined;
}

const QUERY_TIMEOUT_MS = 5_000;
/** Labels that name an alert's instance besides its name (the rest are routing details). */
const ALERT_KEY_LABELS = ['service', 'group', 'topic', 'state', 'operation'];

interface PromSeries {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

async function instant(config: PlatformConfig, query: string): Promise<Record<string, number>> {
  const response = await fetch(`${prometheusUrl(config)}/api/v1/query?query=${encodeURIComponent(query)}`, { signal: AbortSignal.timeout(QUERY_TIMEOUT_MS) });
  const body = (await response.json()) as { status: string; data?: { result: PromSeries[] } };
  if (body.status !== 'success') return {};
  return Object.fromEntries((body.data?.result ?? []).map((series) => [Object.values(series.metric).join(',') || 'value', Math.round(Number(series.value[1]) * 1000) / 1000]));
}

export function alertKey(labels: Readonly<Record<string, string>>): string {
  const keys = ALERT_KEY_LABELS.filter((label) => labels[label] !== undefined).map((label) => `${label}=${labels[label] ?? ''}`);
  return `${labels['alertname'] ?? '?'}${keys.length === 0 ? '' : `{${keys.join(',')}}`}`;
}

async function activeAlerts(config: PlatformConfig): Promise<Record<string, 'pending' | 'firing'>> {
  const response = await fetch(`${prometheusUrl(config)}/api/v1/alerts`, { signal: AbortSignal.timeout(QUERY_TIMEOUT_MS) });
  const body = (await response.json()) as { data: { alerts: { labels: Record<string, string>; state: 'pending' | 'firing' }[] } };
  const alerts: Record<string, 'pending' | 'firing'> = {};
  // The platform's own: a test suite's in-process services are scraped with an `env` label
  // (tools/infra-local prometheus targets), and a suite's consumer groups are not the services'.
  const platformGroups = new Set(PLATFORM_SERVICES.map((spec) => spec.name));
  const ours = (labels: Readonly<Record<string, string>>): boolean => labels['env'] === undefined && (labels['group'] === undefined || platformGroups.has(labels['group']));
  for (const alert of body.data.alerts.filter((candidate) => ours(candidate.labels))) {
    const key = alertKey(alert.labels);
    // One instance firing makes the key firing.
    if (alerts[key] !== 'firing') alerts[key] = alert.state;
  }
  return alerts;
}

export async function sampleTimeline(config: PlatformConfig, startedAt_ms: number): Promise<TimelineSample> {
  const figures: Record<string, Record<string, number>> = {};
  for (const [name, query] of Object.entries(DRILL_FIGURES)) figures[name] = await instant(config, query).catch(() => ({}));
  const alerts = await activeAlerts(config).catch(() => ({}));
  return { t_s: Math.round((Date.now() - startedAt_ms) / 1000), at: new Date().toISOString(), figures, alerts };
}

/** Each alert seen in the samples: when it first pended, first fired, and when it was first gone again. */
export function alertTransitions(samples: readonly TimelineSample[]): AlertTransition[] {
  const names = [...new Set(samples.flatMap((sample) => Object.keys(sample.alerts)))].sort();
  return names.map((alert) => {
    const seen = samples.filter((sample) => sample.alerts[alert] !== undefined);
    const first = seen[0];
    const last = seen.at(-1);
    const after = last === undefined ? undefined : samples.find((sample) => sample.t_s > last.t_s && sample.alerts[alert] === undefined);
    return {
      alert,
      pending_s: samples.find((sample) => sample.alerts[alert] === 'pending')?.t_s ?? first?.t_s,
      firing_s: samples.find((sample) => sample.alerts[alert] === 'firing')?.t_s,
      resolved_s: after?.t_s,
    };
  });
}
