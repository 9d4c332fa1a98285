// Where the time goes, from outside: the CPU each process of the machine used during a scenario
// (utime + stime from /proc, Linux only), grouped into the ingress, the load generator (this
// process), PostgreSQL's backends, the JVMs (Kafka, the registry) and the rest, plus the machine's
// idle share. Divided by the answers of the scenario it is a CPU budget per webhook.
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_S = 100;

export type CpuGroup = 'ingress' | 'generator' | 'postgres' | 'jvm' | 'other';

export interface CpuSnapshot {
  readonly ticks: Readonly<Record<CpuGroup, number>>;
  readonly idleTicks: number;
  readonly totalTicks: number;
}

function processTicks(pid: string): { comm: string; ticks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command sits in parentheses and may contain spaces; the fields after it are fixed.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    return { comm: stat.slice(stat.indexOf('(') + 1, close), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined; // the process ended between the listing and the read
  }
}

function groupOf(pid: number, comm: string, ingressPid: number): CpuGroup {
  if (pid === ingressPid) return 'ingress';
  if (pid === process.pid) return 'generator';
  if (comm === 'postgres') return 'postgres';
  if (comm === 'java') return 'jvm';
  return 'other';
}

export function cpuSnapshot(ingressPid: number): CpuSnapshot {
  const ticks: Record<CpuGroup, number> = { ingress: 0, generator: 0, postgres: 0, jvm: 0, other: 0 };
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const process_ = processTicks(entry);
    if (process_ !== undefined) ticks[groupOf(Number(entry), process_.comm, ingressPid)] += process_.ticks;
  }
  const [cpuLine = ''] = readFileSync('/proc/stat', 'utf8').split('\n', 1);
  const machine = cpuLine.trim().split(/\s+/).slice(1).map(Number);
  return { ticks, idleTicks: (machine[3] ?? 0) + (machine[4] ?? 0), totalTicks: machine.reduce((sum, value) => sum + value, 0) };
}

export interface CpuBudget {
  /** CPU milliseconds per answer, by group. */
  readonly cpu_ms_per_answer: Readonly<Record<CpuGroup, number>>;
  /** Share of the machine's CPU time that was idle during the scenario. */
  readonly machine_idle: number;
}

export function cpuBudget(before: CpuSnapshot, after: CpuSnapshot, answers: number): CpuBudget {
  const perAnswer = (group: CpuGroup): number => Math.round((((after.ticks[group] - before.ticks[group]) * 1000) / CLOCK_TICKS_PER_S / Math.max(answers, 1)) * 1000) / 1000;
  const total = after.totalTicks - before.totalTicks;
  return {
    cpu_ms_per_answer: { ingress: perAnswer('ingress'), generator: perAnswer('generator'), postgres: perAnswer('postgres'), jvm: perAnswer('jvm'), other: perAnswer('other') },
    machine_idle: Math.round(((after.idleTicks - before.idleTicks) / Math.max(total, 1)) * 1000) / 1000,
  };
}
