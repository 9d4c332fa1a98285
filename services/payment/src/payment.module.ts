import { Inject, Injectable, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import type { Actor } from '@txn/contracts';
import { EventPublisher } from '@txn/nest-messaging';
import type { ServiceDependencies } from '@txn/service-kit';
import { PaymentDecisions } from './application/decisions';
import { platformFeeOf } from './application/fees';
import { OutcomePoller } from './application/outcome-queries/outcome-poller';
import { PspCallDispatcher } from './application/psp-calls/call-dispatcher';
import { BookingEventsController, PAYMENT_METHOD_OF, SERVICE_ACTOR } from './messaging/booking-events.controller';
import type { PaymentServiceProvider } from './psp/psp-port';
import type { PaymentSettings } from './settings';

/** Claimed work is ours for the PSP timeout plus this margin (the time to record the answer). */
const LEASE_MARGIN_MS = 5_000;
/** Payments asked about per poller sweep (each is one PSP request, made concurrently). */
const OUTCOME_BATCH_SIZE = 20;
const LISTEN_CONNECT_TIMEOUT_MS = 5_000;

/** Runs the dispatcher and the poller while the application runs; stops them before the relay stops. */
@Injectable()
class PspWorkLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(PspCallDispatcher) private readonly dispatcher: PspCallDispatcher,
    @Inject(OutcomePoller) private readonly poller: OutcomePoller,
  ) {}

  onApplicationBootstrap(): void {
    this.dispatcher.start();
    this.poller.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.dispatcher.stop(), this.poller.stop()]);
  }
}

@Module({})
export class PaymentModule {
  static with(dependencies: ServiceDependencies, settings: PaymentSettings, psp: PaymentServiceProvider, paymentMethodOf: (customerId: string) => string): DynamicModule {
    const actor: Actor = { type: 'SERVICE', id: dependencies.config.serviceName };
    const feeFor = (tenantId: string): ReturnType<typeof platformFeeOf> => platformFeeOf({ defaultBps: settings.platformFeeBps, byMerchant: settings.platformFeeBpsByMerchant }, tenantId);
    const lease_ms = settings.psp.timeout_ms + LEASE_MARGIN_MS;
    const { pool, logger, metrics } = dependencies;
    return {
      module: PaymentModule,
      controllers: [BookingEventsController],
      providers: [
        { provide: SERVICE_ACTOR, useValue: actor },
        { provide: PAYMENT_METHOD_OF, useValue: paymentMethodOf },
        {
          provide: PaymentDecisions,
          inject: [EventPublisher],
          useFactory: (events: EventPublisher) => new PaymentDecisions(events, logger, metrics, dependencies.config.serviceName, settings.outcomeQueryTimeDivisor),
        },
        {
          provide: PspCallDispatcher,
          inject: [PaymentDecisions],
          useFactory: (decisions: PaymentDecisions) =>
            new PspCallDispatcher({
              pool,
              database: { ...dependencies.config.database, connectionTimeoutMillis: LISTEN_CONNECT_TIMEOUT_MS, application_name: `${dependencies.config.serviceName}-psp-calls` },
              psp,
              decisions,
              logger,
              metrics,
              actor,
              feeFor,
              interval_ms: settings.callPollInterval_ms,
              batchSize: settings.callBatchSize,
              lease_ms,
            }),
        },
        {
          provide: OutcomePoller,
          inject: [PaymentDecisions],
          useFactory: (decisions: PaymentDecisions) =>
            new OutcomePoller({ pool, psp, decisions, logger, metrics, actor, feeFor, interval_ms: settings.outcomePollInterval_ms, batchSize: OUTCOME_BATCH_SIZE, lease_ms }),
        },
        PspWorkLifecycle,
      ],
    };
  }
}
