/**
 * Timed waits the relay can cut short: a NOTIFY ends an idle wait early, stop() ends any wait.
 * A wait after a failed publish is not cut short by NOTIFY, so backoff holds under write load.
 */
export class Sleeper {
  private pending: { resolve(): void; interruptible: boolean; timer: NodeJS.Timeout } | undefined;

  sleep(duration_ms: number, interruptible: boolean): Promise<void> {
    if (duration_ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.finish(), duration_ms);
      this.pending = { resolve, interruptible, timer };
    });
  }

  /** Ends the current wait if it may be cut short. */
  wake(): void {
    if (this.pending?.interruptible === true) this.finish();
  }

  /** Ends the current wait, whatever it is. */
  cancel(): void {
    this.finish();
  }

  private finish(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    pending.resolve();
  }
}
