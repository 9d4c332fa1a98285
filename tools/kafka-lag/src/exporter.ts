import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { Gauge, Registry } from 'prom-client';
import { measureDeadLetters, type DeadLetterDepth } from './dead-letters';
import type { GroupLag } from './lag';
import { measureConsumerLag, type MeasureOptions } from './measure';

export interface LagExporterOptions extends MeasureOptions {
  readonly brokers: readonly string[];
  readonly host: string;
  /** 0: a free port (tests). */
  readonly port: number;
  /** How often the groups are measured (the scrape reads the last measurement, never waits for one). */
  readonly interval_ms: number;
  readonly log?: (line: Record<string, unknown>) => void;
}

export interface RunningLagExporter {
  readonly url: string;
  /** The last measurement, for tests and the table. */
  last(): readonly GroupLag[] | undefined;
  /** Measure now (the loop measures every interval anyway). */
  measure(): Promise<readonly GroupLag[]>;
  close(): Promise<void>;
}

function gauges(registry: Registry) {
  return {
    lag: new Gauge({ name: 'kafka_consumergroup_lag', help: 'Records written and not yet consumed, per group, topic and partition (from the broker: alive or not, the group is measured).', labelNames: ['group', 'topic', 'partition'], registers: [registry] }),
    lagSeconds: new Gauge({ name: 'kafka_consumergroup_lag_seconds', help: 'Age of the oldest unconsumed record (its timestamp to now), per group, topic and partition; 0 when nothing waits.', labelNames: ['group', 'topic', 'partition'], registers: [registry] }),
    members: new Gauge({ name: 'kafka_consumergroup_members', help: 'Live members of the group (0: every consumer is dead or stopped).', labelNames: ['group'], registers: [registry] }),
    state: new Gauge({ name: 'kafka_consumergroup_state', help: "1 for the group's current state (Stable, Empty, PreparingRebalance, CompletingRebalance, Dead).", labelNames: ['group', 'state'], registers: [registry] }),
    lastSuccess: new Gauge({ name: 'kafka_lag_exporter_last_success_timestamp_seconds', help: 'When the last measurement succeeded (alert when it stops moving).', registers: [registry] }),
    duration: new Gauge({ name: 'kafka_lag_exporter_measure_seconds', help: 'How long the last measurement took.', registers: [registry] }),
    deadLetters: new Gauge({
      name: 'kafka_dlq_messages_pending',
      help: "Parked messages on a dead-letter topic neither replayed nor acknowledged (the replayer group's mark to the end: what `./platform dlq list` calls pending), with the topic and consumer group it parks for.",
      labelNames: ['topic', 'source_topic', 'group'],
      registers: [registry],
    }),
  };
}

function publishDeadLetters(metrics: ReturnType<typeof gauges>, depths: readonly DeadLetterDepth[]): void {
  metrics.deadLetters.reset();
  for (const depth of depths) metrics.deadLetters.set({ topic: depth.topic, source_topic: depth.sourceTopic, group: depth.group }, Number(depth.pending));
}

function publish(metrics: ReturnType<typeof gauges>, groups: readonly GroupLag[]): void {
  metrics.lag.reset();
  metrics.lagSeconds.reset();
  metrics.members.reset();
  metrics.state.reset();
  for (const group of groups) {
    metrics.members.set({ group: group.group }, group.members);
    metrics.state.set({ group: group.group, state: group.state }, 1);
    for (const entry of group.partitions) {
      const labels = { group: entry.group, topic: entry.topic, partition: String(entry.partition) };
      metrics.lag.set(labels, Number(entry.lag));
      if (entry.lagSeconds !== null) metrics.lagSeconds.set(labels, entry.lagSeconds);
    }
  }
}

/**
 * The lag exporter: its own process (a lag metric a consumer exports dies with the consumer),
 * measuring every group from the broker each interval and serving the figures on /metrics.
 */
export async function startLagExporter(options: LagExporterOptions): Promise<RunningLagExporter> {
  const kafka = new Kafka({ clientId: 'txn-lag-exporter', brokers: [...options.brokers], logLevel: logLevel.NOTHING, connectionTimeout: 5_000, requestTimeout: 15_000 });
  const registry = new Registry();
  const metrics = gauges(registry);
  let last: readonly GroupLag[] | undefined;
  let running: Promise<readonly GroupLag[]> | undefined;
  const measure = (): Promise<readonly GroupLag[]> => {
    running ??= (async () => {
      const started = Date.now();
      try {
        const groups = await measureConsumerLag(kafka, options);
        publish(metrics, groups);
        // In the same round, so that LagExporterStale also says the dead-letter figures are stale.
        publishDeadLetters(metrics, await measureDeadLetters(kafka));
        metrics.lastSuccess.set(Date.now() / 1000);
        metrics.duration.set((Date.now() - started) / 1000);
        last = groups;
        return groups;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const loop = setInterval(() => {
    measure().catch((error: unknown) => options.log?.({ level: 'warn', msg: 'lag measurement failed; the next interval tries again', error: (error as Error).message }));
  }, options.interval_ms);
  await measure().catch((error: unknown) => options.log?.({ level: 'warn', msg: 'first lag measurement failed', error: (error as Error).message }));
  const server: Server = createServer((request, response) => {
    if (request.url === '/metrics') {
      void registry.metrics().then((text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text));
      return;
    }
    if (request.url === '/health') {
      response.writeHead(last === undefined ? 503 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ measured: last !== undefined }));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    last: () => last,
    measure,
    close: async () => {
      clearInterval(loop);
      await running?.catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
