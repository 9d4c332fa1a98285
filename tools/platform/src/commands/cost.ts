import { setTimeout as sleep } from 'node:timers/promises';
import { componentsFor, Supervisor, type PlatformConfig } from '@txn/infra-local';
import { componentCost, sampleProcesses, type ComponentCost } from './process-cost';

export const COST_USAGE = `usage: ./platform cost [--seconds S] [--also NAME=PID]... [--json]
  CPU (percent of one core, averaged over S seconds, default 10) and memory (PSS, MB) of every
  running component, each summed over its process tree (PostgreSQL's backends, the JVMs' threads).
  --also adds a process of your own, e.g. a benchmark: --also bench=$(pgrep -f bench/saga).
  Run it idle and under load (docs/operations/capacity.md).`;

const DEFAULT_WINDOW_S = 10;
const MAX_WINDOW_S = 3_600;

export interface CostRow extends ComponentCost {
  readonly component: string;
  readonly pid: number;
}

export interface CostReport {
  readonly window_s: number;
  readonly measuredAt: string;
  readonly rows: readonly CostRow[];
  readonly total: ComponentCost;
}

function windowOf(args: readonly string[]): number {
  const index = args.indexOf('--seconds');
  if (index < 0) return DEFAULT_WINDOW_S;
  const value = Number(args[index + 1]);
  if (!Number.isFinite(value) || value <= 0 || value > MAX_WINDOW_S) throw new Error(`--seconds takes (0, ${MAX_WINDOW_S}], got ${String(args[index + 1])}`);
  return value;
}

function alsoOf(args: readonly string[]): { component: string; pid: number }[] {
  return args.flatMap((arg, index) => {
    if (arg !== '--also') return [];
    const match = /^([\w.-]+)=(\d+)$/.exec(args[index + 1] ?? '');
    if (match === null) throw new Error(`--also takes NAME=PID, got ${String(args[index + 1])}`);
    return [{ component: match[1] ?? '', pid: Number(match[2]) }];
  });
}

/** Every running component's (and the extra processes') cost over `window_s`. */
export async function measureCost(config: PlatformConfig, window_s: number, also: readonly { component: string; pid: number }[] = []): Promise<CostReport> {
  const running = (await new Supervisor(config, componentsFor(config), () => undefined).status()).flatMap((status) => (status.pid === undefined || status.state === 'down' ? [] : [{ component: status.name, pid: status.pid }]));
  const targets = [...running, ...also];
  const before = sampleProcesses();
  await sleep(window_s * 1000);
  const after = sampleProcesses();
  const rows = targets.map((target) => ({ ...target, ...componentCost(target.pid, before, after, window_s) }));
  const total = rows.reduce((sum, row) => ({ processes: sum.processes + row.processes, cpuPercent: Math.round((sum.cpuPercent + row.cpuPercent) * 10) / 10, memory_mb: Math.round((sum.memory_mb + row.memory_mb) * 10) / 10 }), { processes: 0, cpuPercent: 0, memory_mb: 0 });
  return { window_s, measuredAt: new Date().toISOString(), rows, total };
}

export function costTable(report: CostReport): string {
  const header = ['COMPONENT', 'PID', 'PROCESSES', 'CPU % (1 core)', 'MEMORY MB (PSS)'];
  const rows = [...report.rows.map((row) => [row.component, String(row.pid), String(row.processes), row.cpuPercent.toFixed(1), row.memory_mb.toFixed(1)]), ['total', '', String(report.total.processes), report.total.cpuPercent.toFixed(1), report.total.memory_mb.toFixed(1)]];
  const widths = header.map((cell, index) => Math.max(cell.length, ...rows.map((row) => (row[index] ?? '').length)));
  return [header, ...rows].map((row) => row.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ').trimEnd()).join('\n');
}

/** `./platform cost`; 0 measured, 2 could not. */
export async function runCostCommand(args: readonly string[], config: PlatformConfig): Promise<number> {
  if (args.includes('--help')) {
    process.stdout.write(`${COST_USAGE}\n`);
    return 0;
  }
  const report = await measureCost(config, windowOf(args), alsoOf(args));
  process.stdout.write(args.includes('--json') ? `${JSON.stringify(report, null, 2)}\n` : `${costTable(report)}\n(over ${report.window_s} s, ${report.measuredAt})\n`);
  return 0;
}
