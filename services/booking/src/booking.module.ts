import { Inject, Injectable, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import type { Actor } from '@txn/contracts';
import { EventPublisher } from '@txn/nest-messaging';
import type { ServiceDependencies } from '@txn/service-kit';
import { BookingDecisions } from './application/decisions';
import { ExpirySweeper } from './application/expire-holds/expiry-sweeper';
import { BookingCommandsController, HOLD_POLICY, PaymentEventsController, SERVICE_ACTOR } from './messaging/booking.controllers';
import type { BookingSettings } from './settings';

/** Runs the expiry sweeper while the application runs; stops it before the relay stops. */
@Injectable()
class ExpirySweeperLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(ExpirySweeper) private readonly sweeper: ExpirySweeper) {}

  onApplicationBootstrap(): void {
    this.sweeper.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.sweeper.stop();
  }
}

@Module({})
export class BookingModule {
  static with(dependencies: ServiceDependencies, settings: BookingSettings): DynamicModule {
    const serviceActor: Actor = { type: 'SERVICE', id: dependencies.config.serviceName };
    return {
      module: BookingModule,
      controllers: [BookingCommandsController, PaymentEventsController],
      providers: [
        { provide: HOLD_POLICY, useValue: { hold_ms: settings.hold_ms } },
        { provide: SERVICE_ACTOR, useValue: serviceActor },
        {
          provide: BookingDecisions,
          inject: [EventPublisher],
          useFactory: (events: EventPublisher) => new BookingDecisions(events, dependencies.logger, dependencies.metrics, dependencies.config.serviceName),
        },
        {
          provide: ExpirySweeper,
          inject: [BookingDecisions],
          useFactory: (decisions: BookingDecisions) =>
            new ExpirySweeper({ pool: dependencies.pool, decisions, logger: dependencies.logger, interval_ms: settings.expirySweepInterval_ms, batchSize: settings.expiryBatchSize }),
        },
        ExpirySweeperLifecycle,
      ],
    };
  }
}
