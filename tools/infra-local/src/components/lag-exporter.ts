import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Component, ComponentContext, ProbeResult } from '../component';
import type { PlatformConfig } from '../config';
import { httpProbe } from '../http-probe';
import { kafkaBrokers } from './kafka';

/**
 * The consumer-lag exporter (tools/kafka-lag): its own process, so the lag of a group whose every
 * consumer died is still measured. Reads the group API of the broker every 10 s and serves
 * Prometheus metrics on /metrics (kafka_consumergroup_lag, …_lag_seconds, …_members, …_state).
 */

const HOST = '127.0.0.1';

export function lagExporterUrl(config: PlatformConfig): string {
  return `http://${HOST}:${config.lagExporter.port}`;
}

function probe(config: PlatformConfig): Promise<ProbeResult> {
  return httpProbe(`${lagExporterUrl(config)}/health`, (status) => status === 200);
}

export const lagExporterComponent: Component = {
  name: 'lag-exporter',
  dependsOn: ['kafka'],
  readinessTimeout_s: 30,
  stopTimeout_s: 10,

  version: (ctx: ComponentContext) => (JSON.parse(readFileSync(join(ctx.rootDir, 'tools', 'kafka-lag', 'package.json'), 'utf8')) as { version: string }).version,
  ports: (ctx) => [{ name: 'http', port: ctx.config.lagExporter.port }],

  // Nothing to install: Node and tsx come with the workspace's dependencies.
  install: () => Promise.resolve(),

  command(ctx) {
    return {
      command: process.execPath,
      args: ['--import', 'tsx', join(ctx.rootDir, 'tools', 'kafka-lag', 'src', 'main.ts'), '--brokers', kafkaBrokers(ctx.config).join(','), '--host', HOST, '--port', String(ctx.config.lagExporter.port), '--interval-ms', '10000'],
      cwd: ctx.rootDir,
    };
  },

  probe: (ctx) => probe(ctx.config),
};
