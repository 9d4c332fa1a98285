import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { processStartTicks } from './process-record';

const POLL_INTERVAL_MS = 200;

/**
 * One supervisor operation (up, down, reset) at a time per state folder: two `up`s racing (a
 * person's CLI and a test run's global setup) would otherwise both see a component down and
 * both start it. The lock file holds the owner's pid and start time; a lock left by a dead
 * process is taken over.
 */
export async function withOperationLock<T>(lockFile: string, wait_s: number, operation: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(lockFile), { recursive: true });
  const me = JSON.stringify({ pid: process.pid, startTicks: processStartTicks(process.pid) });
  const deadline = Date.now() + wait_s * 1000;
  for (;;) {
    try {
      writeFileSync(lockFile, me, { flag: 'wx' });
      break;
    } catch {
      const holder = readHolder(lockFile);
      if (holder === undefined || processStartTicks(holder.pid) !== holder.startTicks) {
        rmSync(lockFile, { force: true }); // left behind by a process that is gone
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`another platform command (pid ${holder.pid}) has held ${lockFile} for over ${wait_s} s`);
      }
      await new Promise((resolvePromise) => setTimeout(resolvePromise, POLL_INTERVAL_MS));
    }
  }
  try {
    return await operation();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

function readHolder(lockFile: string): { pid: number; startTicks: string | undefined } | undefined {
  try {
    return JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number; startTicks: string | undefined };
  } catch {
    return undefined;
  }
}
