import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The relay's Prometheus metrics; one relay per Registry (names are not per-instance). */
export interface RelayMetrics {
  readonly pendingRows: Gauge;
  readonly oldestUnsentAge: Gauge;
  readonly leader: Gauge;
  readonly publishedBatches: Counter;
  readonly publishedRecords: Counter;
  readonly failedBatches: Counter;
  readonly deletedRows: Counter;
  readonly publishDuration: Histogram;
}

export function createRelayMetrics(registry: Registry): RelayMetrics {
  const registers = [registry];
  return {
    pendingRows: new Gauge({ name: 'outbox_pending_rows', help: 'Unsent outbox rows (saturates at the probe cap)', registers }),
    oldestUnsentAge: new Gauge({ name: 'outbox_oldest_unsent_age_seconds', help: 'Age of the oldest unsent outbox row', registers }),
    leader: new Gauge({ name: 'outbox_relay_leader', help: '1 while this instance holds the relay advisory lock', registers }),
    publishedBatches: new Counter({ name: 'outbox_published_batches_total', help: 'Batches published and marked sent', registers }),
    publishedRecords: new Counter({ name: 'outbox_published_records_total', help: 'Records published and marked sent', registers }),
    failedBatches: new Counter({ name: 'outbox_failed_batches_total', help: 'Batches whose publish failed (rows stay unsent)', registers }),
    deletedRows: new Counter({ name: 'outbox_deleted_rows_total', help: 'Sent rows removed after the retention period', registers }),
    publishDuration: new Histogram({
      name: 'outbox_publish_duration_seconds',
      help: 'Time for one batch publish to be acknowledged by Kafka',
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
  };
}
