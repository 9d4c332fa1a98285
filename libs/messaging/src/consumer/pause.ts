import { setTimeout as sleep } from 'node:timers/promises';
import type { BatchControl } from '../ports';

/** Longest sleep between heartbeats while waiting to retry (well under the session timeout). */
const HEARTBEAT_SLICE_MS = 1_000;

/** Waits `delay_ms` in heartbeat slices; false as soon as the batch is abandoned (stop or rebalance). */
export type Pause = (delay_ms: number) => Promise<boolean>;

export function heartbeatingPause(control: BatchControl): Pause {
  return async (delay_ms) => {
    let remaining_ms = delay_ms;
    while (remaining_ms > 0) {
      const slice_ms = Math.min(remaining_ms, HEARTBEAT_SLICE_MS);
      await sleep(slice_ms);
      remaining_ms -= slice_ms;
      if (!control.isRunning() || control.isStale()) return false;
      await control.heartbeat();
    }
    return control.isRunning() && !control.isStale();
  };
}
