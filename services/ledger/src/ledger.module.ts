import { Inject, Injectable, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { EventPublisher } from '@txn/nest-messaging';
import type { ServiceDependencies } from '@txn/service-kit';
import { HoldExpirySweeper } from './application/expire-holds/hold-expiry-sweeper';
import { registerWaitingReleaseMetrics } from './application/on-booking-completed/waiting-releases';
import type { CaptureDependencies } from './application/on-payment-captured/on-payment-captured';
import { LedgerOutcomes } from './application/outcomes';
import { BookingEventsController, FEE_RATES, PaymentEventsController } from './messaging/ledger.controllers';
import { feeBpsOf, type LedgerSettings } from './settings';

/** Runs the hold-expiry sweeper while the application runs; stops it before the relay stops. */
@Injectable()
class HoldExpirySweeperLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(HoldExpirySweeper) private readonly sweeper: HoldExpirySweeper) {}

  onApplicationBootstrap(): void {
    this.sweeper.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.sweeper.stop();
  }
}

@Module({})
export class LedgerModule {
  static with(dependencies: ServiceDependencies, settings: LedgerSettings): DynamicModule {
    const feeRates: CaptureDependencies = { feeBpsOf: feeBpsOf(settings) };
    const producer = dependencies.config.serviceName;
    registerWaitingReleaseMetrics(dependencies);
    return {
      module: LedgerModule,
      controllers: [PaymentEventsController, BookingEventsController],
      providers: [
        { provide: FEE_RATES, useValue: feeRates },
        {
          provide: LedgerOutcomes,
          inject: [EventPublisher],
          useFactory: (events: EventPublisher) => new LedgerOutcomes(events, dependencies.logger, dependencies.metrics, producer),
        },
        {
          provide: HoldExpirySweeper,
          inject: [LedgerOutcomes],
          useFactory: (outcomes: LedgerOutcomes) =>
            new HoldExpirySweeper({
              pool: dependencies.pool,
              outcomes,
              logger: dependencies.logger,
              producer,
              interval_ms: settings.holdExpirySweepInterval_ms,
              batchSize: settings.holdExpiryBatchSize,
              grace_ms: settings.holdExpiryGrace_ms,
            }),
        },
        HoldExpirySweeperLifecycle,
      ],
    };
  }
}
