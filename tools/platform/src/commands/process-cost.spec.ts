import { componentCost, parsePss, parseStat, treeOf, type ProcessSample } from './process-cost';

describe('process cost', () => {
  it("reads ppid and utime+stime from /proc/<pid>/stat, counting fields after the name's last ')'", () => {
    const stat = '4242 (postgres: svc (x) idle) S 17 4242 4242 0 -1 4194560 120 0 0 0 250 50 0 0 20 0 1 0 9999 0 0';
    expect(parseStat(stat)).toEqual({ ppid: 17, cpuTicks: 300 });
    expect(parseStat('garbage')).toBeUndefined();
  });

  it('reads PSS from smaps_rollup', () => {
    expect(parsePss('00400000-7ffd [rollup]\nRss:              51200 kB\nPss:              20480 kB\n')).toBe(20480);
    expect(parsePss('')).toBe(0);
  });

  const sample = (pid: number, ppid: number, cpuTicks: number, pss_kb = 1024): ProcessSample => ({ pid, ppid, cpuTicks, pss_kb });

  it('follows a tree to every descendant, and no further', () => {
    const samples = [sample(1, 0, 0), sample(10, 1, 0), sample(11, 10, 0), sample(12, 11, 0), sample(20, 1, 0)];
    expect(treeOf(10, samples)).toEqual(new Set([10, 11, 12]));
  });

  it("sums a tree's CPU ticks over the window (a process born in it counts from zero) and its memory at the end", () => {
    const before = [sample(10, 1, 1_000), sample(11, 10, 500)];
    const after = [sample(10, 1, 1_200), sample(11, 10, 600), sample(12, 10, 100), sample(20, 1, 9_999)];
    // 200 + 100 + 100 ticks = 4 s of CPU in 10 s: 40 % of one core; 3 × 1 MB.
    expect(componentCost(10, before, after, 10)).toEqual({ processes: 3, cpuPercent: 40, memory_mb: 3 });
  });
});
