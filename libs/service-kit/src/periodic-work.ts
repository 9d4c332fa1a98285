import type { Logger } from 'pino';

/** What one iteration found: a full batch means more is due now; anything less waits one interval. */
export type IterationOutcome = 'more-due' | 'caught-up';

export interface PeriodicWorkOptions {
  /** Pause after an iteration that caught up, and after one that failed. */
  readonly interval_ms: number;
  /** One bounded batch of work. A throw is logged and retried after one interval (the database may be down). */
  readonly iteration: () => Promise<IterationOutcome>;
  readonly logger: Pick<Logger, 'warn'>;
  /** Logged at warn, with the error's class and message, when an iteration throws. */
  readonly failureMessage: string;
}

/**
 * Runs `iteration` in a loop until stopped: again at once while it reports more due, otherwise
 * after `interval_ms` or sooner when `wake()` is called. Never two iterations at once; `stop()`
 * cuts a pause short and waits for the iteration in flight, so nothing runs after it resolves.
 */
export class PeriodicWork {
  private running = false;
  private loop: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private endPause: (() => void) | undefined;
  // A wake during an iteration (new work committed while we were busy) skips the next pause.
  private wakeRequested = false;

  constructor(private readonly options: PeriodicWorkOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.endPause?.();
    await this.loop;
  }

  /** Run the next iteration now instead of after the rest of the interval. */
  wake(): void {
    this.wakeRequested = true;
    this.endPause?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let outcome: IterationOutcome = 'caught-up';
      this.wakeRequested = false;
      try {
        outcome = await this.options.iteration();
      } catch (error) {
        this.options.logger.warn({ errorClass: (error as Error).name, error: (error as Error).message }, this.options.failureMessage);
      }
      if (outcome === 'caught-up' && !this.wakeRequested && this.running) await this.pause();
    }
  }

  private pause(): Promise<void> {
    return new Promise((resolvePromise) => {
      this.endPause = resolvePromise;
      this.timer = setTimeout(resolvePromise, this.options.interval_ms);
    });
  }
}

/** Periodic work named for its logs: a failed iteration is logged as `<name> failed; next try after the interval`. */
export function periodically(name: string, interval_ms: number, iteration: () => Promise<IterationOutcome>, logger: Pick<Logger, 'warn'>): PeriodicWork {
  return new PeriodicWork({ interval_ms, iteration, logger, failureMessage: `${name} failed; next try after the interval` });
}
