import { BookingDeadlineStage } from '@txn/contracts';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * What makes a stuck saga visible without reading the database: how many sagas are past their
 * deadline now, and how many were ended by a timeout.
 */
export class DeadlineMetrics {
  private readonly overdue: Gauge<'stage'>;
  private readonly timeouts: Counter<'stage'>;

  constructor(registry: Registry) {
    this.overdue = new Gauge({
      name: 'booking_sagas_overdue',
      help: 'Live bookings past the deadline of their stage (HOLD, CAPTURE, COMPLETION) by more than the interval of the loop that acts on it; refreshed by the deadline watcher, saturates at its count limit. Every instance reports the same database: aggregate with max, not sum.',
      labelNames: ['stage'],
      registers: [registry],
    });
    this.timeouts = new Counter({
      name: 'booking_saga_timeouts_total',
      help: 'Sagas pushed to a terminal state by a BookingDeadlineReached timeout (applied, not stale), by stage.',
      labelNames: ['stage'],
      registers: [registry],
    });
    // Every stage from the start: a scrape before the first watch shows 0, not a missing series.
    for (const stage of BookingDeadlineStage) {
      this.overdue.set({ stage }, 0);
      this.timeouts.inc({ stage }, 0);
    }
  }

  setOverdue(counts: ReadonlyMap<BookingDeadlineStage, number>): void {
    for (const stage of BookingDeadlineStage) this.overdue.set({ stage }, counts.get(stage) ?? 0);
  }

  timedOut(stage: BookingDeadlineStage): void {
    this.timeouts.inc({ stage });
  }
}
