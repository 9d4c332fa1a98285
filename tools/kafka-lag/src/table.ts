import type { GroupLag } from './lag';

function seconds(value: number | null): string {
  if (value === null) return '?';
  if (value < 60) return `${value.toFixed(1)} s`;
  if (value < 3_600) return `${(value / 60).toFixed(1)} min`;
  return `${(value / 3_600).toFixed(1)} h`;
}

/** The terminal table of `./platform lag`: a line per group, topic and partition that has a position; lagging lines first within a group. */
export function lagTable(groups: readonly GroupLag[]): string {
  const lines = [['group', 'state', 'members', 'topic', 'partition', 'committed', 'end', 'lag', 'time lag']];
  for (const group of groups) {
    const partitions = [...group.partitions].sort((a, b) => Number(b.lag - a.lag) || a.topic.localeCompare(b.topic) || a.partition - b.partition);
    if (partitions.length === 0) lines.push([group.group, group.state, String(group.members), '-', '-', '-', '-', '-', '-']);
    for (const entry of partitions) {
      lines.push([group.group, group.state, String(group.members), entry.topic, String(entry.partition), entry.committed === null ? '-' : entry.committed.toString(), entry.end.toString(), entry.lag.toString(), seconds(entry.lagSeconds)]);
    }
  }
  const widths = lines[0]?.map((_, column) => Math.max(...lines.map((line) => (line[column] ?? '').length))) ?? [];
  return lines.map((line) => line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}
