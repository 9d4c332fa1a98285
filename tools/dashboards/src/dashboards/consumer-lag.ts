import type { DashboardDefinition } from '../frame';

// Metrics of tools/kafka-lag's exporter (src/exporter.ts): measured from the broker, so a group
// whose every consumer died is still here (state Empty, 0 members) and its lag keeps growing.
// The red bands are the alert rules' thresholds (deploy/prometheus/rules/platform.rules.yml).
const GROUP = 'group=~"$group"';
const TIME_LAG_ALERT_S = 300;
const EXPORTER_STALE_ALERT_S = 120;
const EXPORTER_INTERVAL_S = 10;

export const CONSUMER_LAG: DashboardDefinition = {
  uid: 'txn-consumer-lag',
  title: 'Kafka consumer lag',
  description: 'Offset and time lag per consumer group and partition, members and state of each group, measured from the broker by the lag exporter (runbook: docs/runbooks/consumer-lag.md).',
  variables: [{ name: 'group', label: 'Consumer group', metric: 'kafka_consumergroup_lag', labelName: 'group' }],
  sections: [
    {
      title: 'Is anyone behind?',
      panels: [
        {
          kind: 'figure',
          title: 'Oldest unread record',
          description: 'The largest time lag of the selected groups: how old the oldest record nobody has read yet is. ConsumerTimeLagHigh pages above 5 minutes.',
          unit: 's',
          query: { expr: `max(kafka_consumergroup_lag_seconds{${GROUP}})` },
          bands: { yellow: TIME_LAG_ALERT_S / 5, red: TIME_LAG_ALERT_S },
        },
        {
          kind: 'figure',
          title: 'Records waiting',
          description: 'Offset lag summed over the selected groups and their partitions.',
          unit: 'short',
          query: { expr: `sum(kafka_consumergroup_lag{${GROUP}})` },
        },
        {
          kind: 'figure',
          title: 'Groups with records waiting and no member',
          description: 'Groups whose every consumer is gone while records wait for them: what ConsumerGroupWithoutMembers pages on after 2 minutes.',
          unit: 'short',
          query: { expr: `count(kafka_consumergroup_members{${GROUP}} == 0 and on (group) (sum by (group) (kafka_consumergroup_lag) > 0)) or vector(0)` },
          bands: { red: 1 },
        },
        {
          kind: 'figure',
          title: 'Since the last lag measurement',
          description: 'Seconds since the exporter last measured every group; past 2 minutes every lag figure and alert is blind (LagExporterStale).',
          unit: 's',
          query: { expr: 'time() - max(kafka_lag_exporter_last_success_timestamp_seconds)' },
          bands: { yellow: 3 * EXPORTER_INTERVAL_S, red: EXPORTER_STALE_ALERT_S },
        },
      ],
    },
    {
      title: 'Lag per group and partition',
      panels: [
        {
          kind: 'graph',
          title: 'Time lag per partition',
          description: 'Age of the oldest unread record (its timestamp to now) per group, topic and partition; 0 when nothing waits. What a freshness objective is about.',
          unit: 's',
          queries: [{ expr: `max by (group, topic, partition) (kafka_consumergroup_lag_seconds{${GROUP}})`, legend: '{{group}} {{topic}}/{{partition}}' }],
          bands: { red: TIME_LAG_ALERT_S },
        },
        {
          kind: 'graph',
          title: 'Offset lag per partition',
          description: 'Records written and not yet consumed per group, topic and partition. 10,000 behind is seconds on a busy topic and hours on a quiet one: read it beside the time lag.',
          unit: 'short',
          queries: [{ expr: `sum by (group, topic, partition) (kafka_consumergroup_lag{${GROUP}})`, legend: '{{group}} {{topic}}/{{partition}}' }],
        },
        {
          kind: 'graph',
          title: 'Offset lag growth per group and topic (10 min)',
          description: 'Change of the offset lag over 10 minutes: above 0 for long while the lag is above 1,000 is what ConsumerLagGrowing tickets.',
          unit: 'short',
          queries: [{ expr: `sum by (group, topic) (delta(kafka_consumergroup_lag{${GROUP}}[10m]))`, legend: '{{group}} {{topic}}' }],
        },
        {
          kind: 'graph',
          title: 'Live members per group',
          description: '0: every consumer of the group is dead or stopped. The broker keeps its committed offsets, so its lag still shows here.',
          unit: 'short',
          queries: [{ expr: `max by (group) (kafka_consumergroup_members{${GROUP}})`, legend: '{{group}}' }],
        },
      ],
    },
    {
      title: 'Groups now',
      panels: [
        {
          kind: 'table',
          title: 'Group state',
          description: "Each selected group's current state (Stable, Empty, PreparingRebalance, CompletingRebalance, Dead). A group that keeps rebalancing is not consuming.",
          unit: 'short',
          queries: [{ expr: `max by (group, state) (kafka_consumergroup_state{${GROUP}}) == 1` }],
        },
        {
          kind: 'graph',
          title: 'Lag measurement duration',
          description: 'How long one round of the exporter took (every group and partition, and the time-lag samples). Nearing its 10 s interval means the figures arrive late.',
          unit: 's',
          queries: [{ expr: 'max(kafka_lag_exporter_measure_seconds)', legend: 'one round' }],
          bands: { red: EXPORTER_INTERVAL_S },
        },
      ],
    },
  ],
};
