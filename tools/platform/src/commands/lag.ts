import { Kafka, logLevel } from 'kafkajs';
import { kafkaBrokers, lagExporterUrl, type PlatformConfig } from '@txn/infra-local';
import { lagTable, measureConsumerLag } from '@txn/kafka-lag';

export const LAG_USAGE = `usage: ./platform lag [--group PREFIX]... [--all] [--watch] [--every S] [--for S]
  consumer lag of every group (or those whose id starts with PREFIX), per topic and partition:
  committed offset, end, offset lag and time lag (age of the oldest unread record), measured from
  the broker — a group whose every consumer is dead shows state Empty, 0 members. --watch redraws
  every S seconds (default 5) for at most --for seconds (default 3600). Prometheus scrapes the same
  figures from the lag exporter. Groups with no position left on any topic (their topics deleted,
  e.g. finished test suites' groups) are left out unless --all.`;

const DEFAULT_EVERY_S = 5;
const DEFAULT_FOR_S = 3_600;

function values(args: readonly string[], name: string): string[] {
  return args.flatMap((arg, index) => (arg === name && args[index + 1] !== undefined ? [args[index + 1] ?? ''] : []));
}

function seconds(args: readonly string[], name: string, fallback: number): number {
  const [text] = values(args, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > 86_400) throw new Error(`${name} takes seconds in (0, 86400], got ${text}`);
  return value;
}

/** `./platform lag`; 0 printed, 2 could not run. */
export async function runLagCommand(args: readonly string[], config: PlatformConfig): Promise<number> {
  if (args.includes('--help')) {
    process.stdout.write(`${LAG_USAGE}\n`);
    return 0;
  }
  const kafka = new Kafka({ clientId: 'platform-lag', brokers: kafkaBrokers(config), logLevel: logLevel.NOTHING, connectionTimeout: 5_000, requestTimeout: 15_000 });
  try {
    const groupPrefixes = values(args, '--group');
    const watch = args.includes('--watch');
    const every_ms = seconds(args, '--every', DEFAULT_EVERY_S) * 1000;
    const until = Date.now() + seconds(args, '--for', DEFAULT_FOR_S) * 1000;
    do {
      const groups = await measureConsumerLag(kafka, { groupPrefixes });
      const table = lagTable(args.includes('--all') ? groups : groups.filter((group) => group.partitions.length > 0));
      if (watch) process.stdout.write('\x1b[2J\x1b[H');
      process.stdout.write(`${new Date().toISOString()}  (exporter: ${lagExporterUrl(config)}/metrics)\n${table}\n`);
      if (watch) await new Promise((resolve) => setTimeout(resolve, every_ms));
    } while (watch && Date.now() < until);
    return 0;
  } catch (error) {
    process.stderr.write(`lag: could not run: ${(error as Error).message}\n`);
    return 2;
  }
}
