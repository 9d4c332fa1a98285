import { Module, type DynamicModule } from '@nestjs/common';
import { EventPublisher } from '@txn/nest-messaging';
import { PERIODIC_WORK, periodically, PeriodicWorkLifecycle, type Runnable, type ServiceDependencies } from '@txn/service-kit';
import { catchUp, catchUpSince } from './application/catch-up/catch-up';
import { transactionsOn } from '@txn/sql';
import { IngressMetrics } from './http/ingress-metrics';
import { StripeWebhookController } from './http/stripe-webhook.controller';
import { INGRESS_CONTEXT, type IngressContext } from './ingress-context';
import { deliveryStore } from './persistence/delivery-store';
import { stripeEventList } from './psp/stripe-event-list';
import type { IngressSettings } from './settings';

/** The catch-up as periodic work: at start, then every interval; a run that hit its page bound goes on at once. */
function catchUpWork(context: IngressContext): Runnable[] {
  const { catchUp: settings } = context.settings;
  if (settings === undefined) {
    context.logger.warn('no PSP_API_URL: events the PSP sent while the ingress was away are not fetched');
    return [];
  }
  const events = stripeEventList(settings.psp);
  // Stripe lists newest first: a run stopped by its page bound is continued (same window, after
  // the oldest event it read), never restarted from the newest, which would skip the older ones.
  let resume: { readonly since: Date; readonly after: string } | undefined;
  return [
    periodically(
      'PSP event catch-up',
      settings.interval_ms,
      async () => {
        const dependencies = { transactions: context.transactions, store: context.store, events, logger: context.logger, now: new Date(), maxPages: settings.maxPages };
        const report = await catchUp(dependencies, resume?.since ?? (await catchUpSince(dependencies, 'stripe', settings.firstWindow_ms)), resume?.after);
        resume = report.resumeAfter === undefined ? undefined : { since: report.since, after: report.resumeAfter };
        return report.complete ? 'caught-up' : 'more-due';
      },
      context.logger,
    ),
  ];
}

/** The ingress' wiring: the store behind its port (publishing through the kit's outbox), the controller, the catch-up. */
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
        { provide: PERIODIC_WORK, inject: [INGRESS_CONTEXT], useFactory: catchUpWork },
        PeriodicWorkLifecycle,
      ],
    };
  }
}
