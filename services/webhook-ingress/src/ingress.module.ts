import { Module, type DynamicModule } from '@nestjs/common';
import { EventPublisher } from '@txn/nest-messaging';
import type { ServiceDependencies } from '@txn/service-kit';
import { transactionsOn } from '@txn/sql';
import { IngressMetrics } from './http/ingress-metrics';
import { StripeWebhookController } from './http/stripe-webhook.controller';
import { INGRESS_CONTEXT, type IngressContext } from './ingress-context';
import { deliveryStore } from './persistence/delivery-store';
import type { IngressSettings } from './settings';

/** The ingress' wiring: the store behind its port (publishing through the kit's outbox), the controller. */
@Module({})
export class IngressModule {
  static with(dependencies: ServiceDependencies, settings: IngressSettings): DynamicModule {
    const { logger, metrics, pool } = dependencies;
    return {
      module: IngressModule,
      controllers: [StripeWebhookController],
      providers: [
        {
          provide: INGRESS_CONTEXT,
          inject: [EventPublisher],
          useFactory: (publisher: EventPublisher): IngressContext => ({ settings, transactions: transactionsOn(pool), store: deliveryStore(publisher), metrics: new IngressMetrics(metrics), logger }),
        },
      ],
    };
  }
}
