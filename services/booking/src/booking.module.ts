import { Module, type DynamicModule } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import type { BookingDecision } from '@txn/booking-domain';
import { RefundPolicySet, ResourceRegistered, type Actor } from '@txn/contracts';
import { DECISION_SETTLER, decisionSettlerProvider, EventPublisher, type DecisionSettler } from '@txn/nest-messaging';
import { PERIODIC_WORK, periodically, PeriodicWorkLifecycle, type Runnable, type ServiceDependencies } from '@txn/service-kit';
import { fromPgClient, transactionsOn } from '@txn/sql';
import { BOOKING_CONTEXT, type BookingContext } from './application/booking-context';
import { bookingDecisionStore, type BookingWrite } from './application/booking-decided';
import { expireHoldsIteration } from './application/expire-holds/expire-holds';
import { RESOURCE_CONTEXT, type ResourceContext } from './application/register-resource/resource-context';
import { DeadlineMetrics } from './application/watch-deadlines/deadline-metrics';
import { watchDeadlinesIteration } from './application/watch-deadlines/watch-deadlines';
import { BookingCommandsController } from './messaging/booking-commands.controller';
import { PaymentEventsController } from './messaging/payment-events.controller';
import { RefundPolicyCommandsController } from './messaging/refund-policy-commands.controller';
import { ResourceCommandsController } from './messaging/resource-commands.controller';
import { bookingStore } from './persistence/booking-store';
import { resourceStore } from './persistence/resource-store';
import type { BookingSettings } from './settings';

/** The settle path's counter (booking_decisions_total), shared by the resource commands, which have no settle path. */
function decisionsCounter(metrics: Registry): Counter<'message_type' | 'outcome' | 'reason'> {
  const existing = metrics.getSingleMetric('booking_decisions_total');
  if (existing !== undefined) return existing as Counter<'message_type' | 'outcome' | 'reason'>;
  return new Counter({ name: 'booking_decisions_total', help: 'Decisions of the booking service by message type and outcome and, when not applied, why.', labelNames: ['message_type', 'outcome', 'reason'], registers: [metrics] });
}

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
      controllers: [BookingCommandsController, PaymentEventsController, ResourceCommandsController, RefundPolicyCommandsController],
      providers: [
        {
          provide: RESOURCE_CONTEXT,
          inject: [DECISION_SETTLER, EventPublisher],
          // After the settler, so that the decisions counter is the one it registered.
          useFactory: (_settler: unknown, outbox: EventPublisher): ResourceContext => ({
            resources: resourceStore,
            events: { publish: (tx, event) => outbox.publish(tx, ResourceRegistered, event) },
            policyEvents: { publish: (tx, event) => outbox.publish(tx, RefundPolicySet, event) },
            producer: config.serviceName,
            decisions: decisionsCounter(metrics),
            logger,
          }),
        },
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
