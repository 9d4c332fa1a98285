import type { DashboardDefinition } from '../frame';
import { RATE } from '../panels';

// The path of an event between services: the outbox relay (libs/outbox/src/relay/metrics.ts)
// publishes what a transaction wrote, the inbox consumer (libs/messaging/src/consumer) applies it
// or parks it on its dead-letter topic, whose depth the lag exporter reads from the broker
// (tools/kafka-lag/src/dead-letters.ts). `service` is the scrape target's label (tools/infra-local's
// Prometheus configuration), one per service whatever the number of instances.
const SERVICE = 'service=~"$service"';
// Only the relay holding the advisory lock refreshes the backlog gauges; an instance that lost the
// lock keeps its last figures, which would show a backlog long gone. So: the leader's figure.
const LEADER = 'and on (instance) (outbox_relay_leader == 1)';
// The red bands are messaging.rules.yml's alert thresholds (OutboxStuck, OutboxBacklog, DeadLetterQueueNotEmpty).
const OUTBOX_STUCK_ALERT_S = 300;
const OUTBOX_BACKLOG_ALERT_ROWS = 5_000;

export const MESSAGING: DashboardDefinition = {
  uid: 'txn-messaging',
  title: 'Messaging: outbox, consumers, dead letters',
  description: "Events between services: each service's outbox backlog and publish latency, what its consumers did with each message, and the messages parked on dead-letter topics (./platform dlq list | show | replay).",
  variables: [{ name: 'service', label: 'Service', metric: 'outbox_pending_rows', labelName: 'service' }],
  sections: [
    {
      title: 'Outbox: is everything written getting published?',
      panels: [
        {
          kind: 'graph',
          title: 'Oldest unsent outbox row',
          description: 'Age of the oldest row a transaction committed and the relay has not published yet, per service (the leader relay\'s figure). Growing steadily: the relay is stuck or Kafka refuses it.',
          unit: 's',
          queries: [{ expr: `max by (service) (outbox_oldest_unsent_age_seconds{${SERVICE}} ${LEADER})`, legend: '{{service}}' }],
          bands: { yellow: 60, red: OUTBOX_STUCK_ALERT_S },
        },
        {
          kind: 'graph',
          title: 'Unsent outbox rows',
          description: 'Rows waiting to be published, per service (saturates at the probe cap: a flat top means at least that many).',
          unit: 'short',
          queries: [{ expr: `max by (service) (outbox_pending_rows{${SERVICE}} ${LEADER})`, legend: '{{service}}' }],
          bands: { red: OUTBOX_BACKLOG_ALERT_ROWS },
        },
        {
          kind: 'graph',
          title: 'Publish latency (p50, p99)',
          description: 'Time for one batch to be acknowledged by Kafka (all in-sync replicas), per service.',
          unit: 's',
          queries: [
            { expr: `histogram_quantile(0.99, sum by (service, le) (rate(outbox_publish_duration_seconds_bucket{${SERVICE}}${RATE})))`, legend: 'p99 {{service}}' },
            { expr: `histogram_quantile(0.5, sum by (service, le) (rate(outbox_publish_duration_seconds_bucket{${SERVICE}}${RATE})))`, legend: 'p50 {{service}}' },
          ],
        },
        {
          kind: 'graph',
          title: 'Records published and batches failed',
          description: 'Records published per second, and batches whose publish failed (their rows stay unsent and are tried again).',
          unit: 'ops',
          queries: [
            { expr: `sum by (service) (rate(outbox_published_records_total{${SERVICE}}${RATE}))`, legend: 'published {{service}}' },
            { expr: `sum by (service) (rate(outbox_failed_batches_total{${SERVICE}}${RATE}))`, legend: 'failed batches {{service}}' },
          ],
        },
        {
          kind: 'table',
          title: 'Relay leaders',
          width: 'full',
          description: 'Instances holding the relay lock, per service: exactly one each. None: nothing is published.',
          unit: 'short',
          queries: [{ expr: `sum by (service) (outbox_relay_leader{${SERVICE}})` }],
        },
      ],
    },
    {
      title: 'Consumers: what happened to each message',
      panels: [
        {
          kind: 'graph',
          title: 'Messages by outcome',
          description: 'Messages handled per second by consumer group and outcome: applied, stale, rejected, duplicate (the inbox dropped a redelivery), dead_lettered.',
          unit: 'ops',
          queries: [{ expr: `sum by (consumer_group, outcome) (rate(messaging_consumer_messages_total{${SERVICE}}${RATE}))`, legend: '{{consumer_group}} {{outcome}}' }],
          stacked: true,
        },
        {
          kind: 'graph',
          title: 'Handler failures by error class',
          description: 'Failed attempts to apply a message (each retry counts), by consumer group and error class. A steady stream of one class ends in dead letters.',
          unit: 'ops',
          queries: [{ expr: `sum by (consumer_group, error_class) (rate(messaging_consumer_handler_failures_total{${SERVICE}}${RATE}))`, legend: '{{consumer_group}} {{error_class}}' }],
        },
        {
          kind: 'graph',
          title: 'Handle duration p99',
          description: 'From the start of the inbox check to the end of the handler, per consumer group (applied messages).',
          unit: 's',
          queries: [
            {
              expr: `histogram_quantile(0.99, sum by (consumer_group, le) (rate(messaging_consumer_handle_duration_seconds_bucket{${SERVICE}, outcome="applied"}${RATE})))`,
              legend: '{{consumer_group}}',
            },
          ],
        },
        {
          kind: 'graph',
          title: 'Messages no handler takes',
          description: 'Event types acknowledged without effect because no handler of the consumer takes them: a producer ahead of its consumers, or a topic shared too widely.',
          unit: 'ops',
          queries: [{ expr: `sum by (consumer_group, event_type) (rate(messaging_consumer_unhandled_messages_total{${SERVICE}}${RATE}))`, legend: '{{consumer_group}} {{event_type}}' }],
        },
      ],
    },
    {
      title: 'Dead letters',
      panels: [
        {
          kind: 'figure',
          title: 'Parked messages pending',
          width: 'third',
          description: 'Messages on every dead-letter topic neither replayed nor acknowledged (what ./platform dlq list calls pending). Each is a person\'s work: DeadLetterQueueNotEmpty pages above 0.',
          unit: 'short',
          query: { expr: 'sum(kafka_dlq_messages_pending) or vector(0)' },
          bands: { red: 1 },
        },
        {
          kind: 'graph',
          title: 'Pending per dead-letter topic',
          width: 'third',
          description: 'Parked messages not yet replayed or acknowledged, per dead-letter topic, with the topic and consumer group it parks for. Measured from the broker by the lag exporter.',
          unit: 'short',
          queries: [{ expr: 'max by (topic, source_topic, group) (kafka_dlq_messages_pending)', legend: '{{source_topic}} → {{group}}' }],
          bands: { red: 1 },
        },
        {
          kind: 'graph',
          title: 'Messages parked (last hour)',
          width: 'third',
          description: 'Messages a consumer moved to its dead-letter topic in the hour before each point, by topic and consumer group: ./platform dlq show <topic> says why.',
          unit: 'short',
          queries: [
            { expr: `sum by (topic, consumer_group) (increase(messaging_consumer_messages_total{${SERVICE}, outcome="dead_lettered"}[1h]))`, legend: '{{topic}} → {{consumer_group}}' },
          ],
        },
      ],
    },
  ],
};
