import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import { OUTBOX_TABLE } from '@txn/outbox';

// The services' own Prometheus figures after the run, read from their registries in-process:
// how long consumers spent per message and how the relays batched. They say which part of a
// hop is work and which is waiting.

export interface ServicePipeline {
  /** Messages each consumer committed, by outcome. */
  readonly handled: Readonly<Record<string, number>>;
  /** Mean time inside the inbox transaction per message (check + handler), ms. */
  readonly meanHandle_ms: number;
  readonly relayBatches: number;
  readonly relayRecords: number;
  /** Records per published batch: above 1 means the relay's poll gathered several commits. */
  readonly relayRecordsPerBatch: number;
  /** Mean time for one batch to be acknowledged by Kafka (acks=all), ms. */
  readonly meanRelayPublish_ms: number;
  /** PSP calls by operation and outcome (payment only). */
  readonly pspCalls?: Readonly<Record<string, number>>;
}

interface Sample {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly metricName?: string;
}

function samplesOf(metrics: readonly { name: string; values: readonly Sample[] }[], name: string): readonly Sample[] {
  return metrics.find((metric) => metric.name === name)?.values ?? [];
}

function total(samples: readonly Sample[], metricName?: string): number {
  return samples.filter((sample) => metricName === undefined || sample.metricName === metricName).reduce((sum, sample) => sum + sample.value, 0);
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

export async function servicePipeline(registry: Registry): Promise<ServicePipeline> {
  const metrics = (await registry.getMetricsAsJSON()) as unknown as { name: string; values: Sample[] }[];
  const handled: Record<string, number> = {};
  for (const sample of samplesOf(metrics, 'messaging_consumer_messages_total')) {
    const outcome = String(sample.labels.outcome);
    handled[outcome] = (handled[outcome] ?? 0) + sample.value;
  }
  const handle = samplesOf(metrics, 'messaging_consumer_handle_duration_seconds');
  const handleCount = total(handle, 'messaging_consumer_handle_duration_seconds_count');
  const publish = samplesOf(metrics, 'outbox_publish_duration_seconds');
  const publishCount = total(publish, 'outbox_publish_duration_seconds_count');
  const relayBatches = total(samplesOf(metrics, 'outbox_published_batches_total'));
  const relayRecords = total(samplesOf(metrics, 'outbox_published_records_total'));
  const pspSamples = samplesOf(metrics, 'payment_psp_calls_total');
  const pspCalls = Object.fromEntries(pspSamples.map((sample) => [`${String(sample.labels.operation)} ${String(sample.labels.outcome)}`, sample.value]));
  return {
    handled,
    meanHandle_ms: handleCount === 0 ? Number.NaN : round1((total(handle, 'messaging_consumer_handle_duration_seconds_sum') / handleCount) * 1000),
    relayBatches,
    relayRecords,
    relayRecordsPerBatch: relayBatches === 0 ? Number.NaN : round1(relayRecords / relayBatches),
    meanRelayPublish_ms: publishCount === 0 ? Number.NaN : round1((total(publish, 'outbox_publish_duration_seconds_sum') / publishCount) * 1000),
    ...(pspSamples.length === 0 ? {} : { pspCalls }),
  };
}

/** Outbox row written → marked sent (after Kafka acknowledged it): the relay's share of each hop, ms. */
export interface RelayLatency {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * From the service's own outbox: `created_at` is the writing transaction's start (now()),
 * `sent_at` the relay's mark after the acknowledgement, so this includes the rest of the writing
 * transaction, the relay's wait for its next scan (poll or NOTIFY), the scan and the publish.
 */
export async function relayLatency(pool: Pool): Promise<RelayLatency> {
  const { rows } = await pool.query<{ n: number; p50: number; p95: number; p99: number; max: number }>(
    `SELECT count(*)::int AS n,
            round(percentile_disc(0.50) WITHIN GROUP (ORDER BY d))::int AS p50,
            round(percentile_disc(0.95) WITHIN GROUP (ORDER BY d))::int AS p95,
            round(percentile_disc(0.99) WITHIN GROUP (ORDER BY d))::int AS p99,
            round(max(d))::int AS max
       FROM (SELECT extract(epoch FROM sent_at - created_at) * 1000 AS d FROM ${OUTBOX_TABLE} WHERE sent_at IS NOT NULL) AS sent`,
  );
  const row = rows[0];
  return row === undefined ? { n: 0, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN } : row;
}

/**
 * Transactions committed in the service's database so far (pg_stat_database, every session of it:
 * inbox, relay, dispatcher, sweepers). PostgreSQL 15 backends publish these counters at most about
 * once a second, so a difference over a run of tens of seconds is right to within a second's worth.
 */
export async function committedTransactions(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>('SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()');
  return Number(rows[0]?.n ?? Number.NaN);
}
