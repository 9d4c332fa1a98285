import { Inject, Injectable, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import type { Actor } from '@txn/contracts';
import { EventPublisher } from '@txn/nest-messaging';
import type { ServiceDependencies } from '@txn/service-kit';
import { BookingDecisions } from './application/decisions';
import { ExpirySweeper } from './application/expire-holds/expiry-sweeper';
import { DeadlineMetrics } from './application/saga-deadlines/deadline-metrics';
import { DeadlineWatcher } from './application/saga-deadlines/deadline-watcher';
import { BookingCommandsController, HOLD_POLICY, PaymentEventsController, SERVICE_ACTOR } from './messaging/booking.controllers';
import type { BookingSettings } from './settings';

/** Runs the expiry sweeper and the deadline watcher while the application runs; stops them before the relay stops. */
@Injectable()
class PeriodicWorkLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(ExpirySweeper) private readonly sweeper: ExpirySweeper,
    @Inject(DeadlineWatcher) private readonly watcher: DeadlineWatcher,
  ) {}

  onApplicationBootstrap(): void {
    this.sweeper.start();
    this.watcher.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.sweeper.stop(), this.watcher.stop()]);
  }
}

@Module({})
export class BookingModule {
  static with(dependencies: ServiceDependencies, settings: BookingSettings): DynamicModule {
    const serviceActor: Actor = { type: 'SERVICE', id: dependencies.config.serviceName };
    const deadlinePolicy = { capture_ms: settings.captureDeadline_ms, completionGrace_ms: settings.completionGrace_ms };
    return {
      module: BookingModule,
      controllers: [BookingCommandsController, PaymentEventsController],
      providers: [
        { provide: HOLD_POLICY, useValue: { hold_ms: settings.hold_ms } },
        { provide: SERVICE_ACTOR, useValue: serviceActor },
        { provide: DeadlineMetrics, useValue: new DeadlineMetrics(dependencies.metrics) },
        {
          provide: BookingDecisions,
          inject: [EventPublisher],
          useFactory: (events: EventPublisher) => new BookingDecisions(events, dependencies.logger, dependencies.metrics, dependencies.config.serviceName, deadlinePolicy),
        },
        {
          provide: ExpirySweeper,
          inject: [BookingDecisions],
          useFactory: (decisions: BookingDecisions) =>
            new ExpirySweeper({ pool: dependencies.pool, decisions, logger: dependencies.logger, interval_ms: settings.expirySweepInterval_ms, batchSize: settings.expiryBatchSize }),
        },
        {
          provide: DeadlineWatcher,
          inject: [EventPublisher, DeadlineMetrics],
          useFactory: (events: EventPublisher, metrics: DeadlineMetrics) =>
            new DeadlineWatcher({
              pool: dependencies.pool,
              events,
              metrics,
              logger: dependencies.logger,
              producer: dependencies.config.serviceName,
              interval_ms: settings.deadlineWatchInterval_ms,
              batchSize: settings.deadlineBatchSize,
              holdSweepInterval_ms: settings.expirySweepInterval_ms,
            }),
        },
        PeriodicWorkLifecycle,
      ],
    };
  }
}
