import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * What the supervisor remembers about a process it started. The start time (clock ticks since
 * boot, field 22 of /proc/<pid>/stat) guards against pid reuse: `down` must never signal a process
 * the project did not start.
 */
export interface ProcessRecord {
  readonly pid: number;
  readonly startTicks: string;
  readonly startedAt: string;
  /** The component's setupKey when its afterStart last succeeded for this process. */
  readonly setUp?: string;
}

export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields after the last ')' are fixed.
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = afterName[0];
    if (state === 'Z' || state === 'X') return undefined; // a zombie is not running
    return afterName[19]; // field 22 overall = index 19 after the name and state
  } catch {
    return undefined;
  }
}

export function readProcessRecord(pidFile: string): ProcessRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(pidFile, 'utf8')) as ProcessRecord;
    return Number.isInteger(record.pid) && typeof record.startTicks === 'string' ? record : undefined;
  } catch {
    return undefined;
  }
}

export function writeProcessRecord(pidFile: string, pid: number): ProcessRecord {
  const startTicks = processStartTicks(pid);
  if (startTicks === undefined) throw new Error(`process ${pid} exited immediately after start`);
  const record: ProcessRecord = { pid, startTicks, startedAt: new Date().toISOString() };
  mkdirSync(dirname(pidFile), { recursive: true });
  writeFileSync(pidFile, `${JSON.stringify(record)}\n`);
  return record;
}

/** Remembers that afterStart succeeded for this process with these inputs. */
export function recordSetUp(pidFile: string, record: ProcessRecord, setupKey: string): ProcessRecord {
  const updated: ProcessRecord = { ...record, setUp: setupKey };
  writeFileSync(pidFile, `${JSON.stringify(updated)}\n`);
  return updated;
}

export function removeProcessRecord(pidFile: string): void {
  rmSync(pidFile, { force: true });
}

/** Alive and still the same process we started. */
export function isRecordedProcessAlive(record: ProcessRecord | undefined): record is ProcessRecord {
  return record !== undefined && isStillRunning(record);
}

/** Like isRecordedProcessAlive, for a record known to exist (no type narrowing on false). */
export function isStillRunning(record: ProcessRecord): boolean {
  return processStartTicks(record.pid) === record.startTicks;
}

/**
 * Processes still in the process group of a recorded process that died (e.g. PostgreSQL backends
 * after `kill -9` of the postmaster keep its listening socket open). The supervisor created that
 * group, so its members are ours; members started before the recorded process are not counted.
 */
export function orphansOfGroup(record: ProcessRecord, includeZombies = false): number[] {
  const orphans: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const processGroup = Number(fields[2]);
      const startTicks = Number(fields[19]);
      if (processGroup === record.pid && startTicks >= Number(record.startTicks) && (includeZombies || fields[0] !== 'Z')) {
        orphans.push(Number(entry));
      }
    } catch {
      // exited while we looked
    }
  }
  return orphans;
}
