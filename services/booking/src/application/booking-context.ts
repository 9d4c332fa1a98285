import type { DeadlinePolicy, HoldPolicy } from '@txn/booking-domain';
import type { Actor } from '@txn/contracts';
import type { Bookings } from './ports';
import type { DeadlineMetrics } from './watch-deadlines/deadline-metrics';

/** What booking's use cases share, built once by the module; `clock` is the service's one clock. */
export interface BookingContext {
  readonly bookings: Bookings;
  readonly holdPolicy: HoldPolicy;
  readonly deadlinePolicy: DeadlinePolicy;
  /** The actor of decisions booking makes on a fact (not on a command, whose actor is its own). */
  readonly serviceActor: Actor;
  readonly deadlineMetrics: DeadlineMetrics;
  readonly clock: () => Date;
}

export const BOOKING_CONTEXT = Symbol('booking-context');
