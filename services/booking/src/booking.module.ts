import { Module, type DynamicModule } from '@nestjs/common';
import type { BookingDecision } from '@txn/booking-domain';
import type { Actor } from '@txn/contracts';
import { DECISION_SETTLER, decisionSettlerProvider, EventPublisher, type DecisionSettler } from '@txn/nest-messaging';
import { PERIODIC_WORK, periodically, PeriodicWorkLifecycle, type Runnable, type ServiceDependencies } from '@txn/service-kit';
import { fromPgClient, transactionsOn } from '@txn/sql';
import { BOOKING_CONTEXT, type BookingContext } from './application/booking-context';
import { bookingDecisionStore, type BookingWrite } from './application/booking-decided';
import { expireHoldsIteration } from './application/expire-holds/expire-holds';
import { DeadlineMetrics } from './application/watch-deadlines/deadline-metrics';
import { watchDeadlinesIteration } from './application/watch-deadlines/watch-deadlines';
import { BookingCommandsController } from './messaging/booking-commands.controller';
import { PaymentEventsController } from './messaging/payment-events.controller';
import { bookingStore } from './persistence/booking-store';
import type { BookingSettings } from './settings';

/** Booking's wiring: its store behind the ports, the one settler, the controllers, and the periodic work. */
@Module({})
export class BookingModule {
  static with(dependencies: ServiceDependencies, settings: BookingSettings): DynamicModule {
    const { config, logger, metrics, pool } = dependencies;
    const serviceActor: Actor = { type: 'SERVICE', id: config.serviceName };
    const deadlinePolicy = { holdExpiryGrace_ms: settings.holdExpiryGrace_ms, capture_ms: settings.captureDeadline_ms, completionGrace_ms: settings.completionGrace_ms };
    const context: BookingContext = {
      bookings: bookingStore,
      holdPolicy: { hold_ms: settings.hold_ms },
      deadlinePolicy,
      serviceActor,
      deadlineMetrics: new DeadlineMetrics(metrics),
      clock: () => new Date(),
    };
    const transactions = transactionsOn(pool);
    return {
      module: BookingModule,
      controllers: [BookingCommandsController, PaymentEventsController],
      providers: [
        { provide: BOOKING_CONTEXT, useValue: context },
        decisionSettlerProvider({ service: config.serviceName, store: bookingDecisionStore(bookingStore, deadlinePolicy), logger, metrics }),
        {
          provide: PERIODIC_WORK,
          inject: [DECISION_SETTLER, EventPublisher],
          useFactory: (settler: DecisionSettler<BookingDecision, BookingWrite>, outbox: EventPublisher): Runnable[] => [
            periodically('hold expiry sweep', settings.expirySweepInterval_ms, () => expireHoldsIteration({ transactions, bookings: bookingStore, settler, batchSize: settings.expiryBatchSize, clock: context.clock, logger }), logger),
            periodically(
              'saga deadline watch',
              settings.deadlineWatchInterval_ms,
              () =>
                watchDeadlinesIteration({
                  transactions,
                  reads: fromPgClient(pool),
                  bookings: bookingStore,
                  outbox,
                  metrics: context.deadlineMetrics,
                  logger,
                  producer: config.serviceName,
                  batchSize: settings.deadlineBatchSize,
                  interval_ms: settings.deadlineWatchInterval_ms,
                  holdSweepInterval_ms: settings.expirySweepInterval_ms,
                  clock: context.clock,
                }),
              logger,
            ),
          ],
        },
        PeriodicWorkLifecycle,
      ],
    };
  }
}
