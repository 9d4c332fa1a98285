import { readdirSync, readFileSync } from 'node:fs';

// CPU and memory of a component: the sum over its whole process tree (PostgreSQL's backends, the
// JVM's, Node's workers), read from /proc. Memory is PSS (proportional set size): shared pages,
// e.g. PostgreSQL's shared buffers, are divided among the processes that map them, so the sum over
// a tree — and over all components — is what the machine really spends, not RSS counted many times.

/** The kernel's clock ticks per second for utime/stime (USER_HZ: 100 on every Linux we run on). */
const CLOCK_TICKS_PER_S = 100;

/** One process at one instant. */
export interface ProcessSample {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime, in clock ticks. */
  readonly cpuTicks: number;
  readonly pss_kb: number;
}

/** A component's cost over a window. */
export interface ComponentCost {
  readonly processes: number;
  /** Percent of one core, averaged over the window (200 = both cores of this machine). */
  readonly cpuPercent: number;
  readonly memory_mb: number;
}

/** `/proc/<pid>/stat`'s ppid and utime+stime; the command name may hold spaces and parentheses, so fields count from its last ')'. */
export function parseStat(text: string): { ppid: number; cpuTicks: number } | undefined {
  const end = text.lastIndexOf(')');
  if (end < 0) return undefined;
  const fields = text.slice(end + 2).split(' ');
  // After the name: state(0) ppid(1) … utime(11) stime(12).
  const ppid = Number(fields[1]);
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ppid) && Number.isFinite(cpuTicks) ? { ppid, cpuTicks } : undefined;
}

/** `Pss:` of `/proc/<pid>/smaps_rollup`, in kB. */
export function parsePss(text: string): number {
  const match = /^Pss:\s+(\d+) kB/m.exec(text);
  return match === null ? 0 : Number(match[1]);
}

function readSample(pid: number): ProcessSample | undefined {
  try {
    const stat = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    if (stat === undefined) return undefined;
    let pss_kb = 0;
    try {
      pss_kb = parsePss(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    } catch {
      // A process that exited between the two reads, or one we may not read: no memory counted.
    }
    return { pid, ...stat, pss_kb };
  } catch {
    return undefined;
  }
}

/** Every process on the machine now. */
export function sampleProcesses(): ProcessSample[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      const sample = readSample(Number(entry));
      return sample === undefined ? [] : [sample];
    });
}

/** `root` and every descendant of it in one snapshot. */
export function treeOf(root: number, samples: readonly ProcessSample[]): Set<number> {
  const children = new Map<number, number[]>();
  for (const sample of samples) children.set(sample.ppid, [...(children.get(sample.ppid) ?? []), sample.pid]);
  const tree = new Set<number>();
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop() as number;
    if (tree.has(pid)) continue;
    tree.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/**
 * A component's cost between two snapshots: CPU from the ticks its tree spent (processes that
 * started in between count from zero; those that ended are lost, a small under-count for
 * short-lived backends), memory as the tree's PSS at the end.
 */
export function componentCost(root: number, before: readonly ProcessSample[], after: readonly ProcessSample[], window_s: number): ComponentCost {
  const tree = treeOf(root, after);
  const earlier = new Map(before.map((sample) => [sample.pid, sample.cpuTicks]));
  let ticks = 0;
  let pss_kb = 0;
  for (const sample of after) {
    if (!tree.has(sample.pid)) continue;
    ticks += sample.cpuTicks - (earlier.get(sample.pid) ?? 0);
    pss_kb += sample.pss_kb;
  }
  return { processes: tree.size, cpuPercent: Math.round((ticks / CLOCK_TICKS_PER_S / window_s) * 1000) / 10, memory_mb: Math.round(pss_kb / 102.4) / 10 };
}
