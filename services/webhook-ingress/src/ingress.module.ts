import { Module, type DynamicModule } from '@nestjs/common';
import { EventPublisher } from '@txn/nest-messaging';
import { PERIODIC_WORK, periodically, PeriodicWorkLifecycle, type Runnable, type ServiceDependencies } from '@txn/service-kit';
import { catchUp, catchUpSince } from './application/catch-up/catch-up';
import { IngressMetrics } from './http/ingress-metrics';
import { StripeWebhookController } from './http/stripe-webhook.controller';
import { INGRESS_CONTEXT, type IngressContext } from './ingress-context';
import { catchUpRequestsOn } from './persistence/catch-up-requests';
import { deliveryStore } from './persistence/delivery-store';
import type { CatchUpRequests } from './application/ports';
import { stripeEventList } from './psp/stripe-event-list';
import type { IngressSettings } from './settings';

/** How often the ingress looks for a catch-up asked for by the command, and how long a claim is its own. */
const REQUEST_POLL_MS = 2_000;
const REQUEST_LEASE_MS = 10 * 60_000;

/**
 * The catch-up as periodic work: at start, then every interval; a run that hit its page bound goes
 * on at once. And the command's requests (`./platform ingress catch-up`), claimed by one instance.
 */
function catchUpWork(context: IngressContext, requests: CatchUpRequests): Runnable[] {
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
        const dependencies = { store: context.store, events, logger: context.logger, now: new Date(), maxPages: settings.maxPages };
        const report = await catchUp(dependencies, resume?.since ?? (await catchUpSince(dependencies, 'stripe', settings.firstWindow_ms)), resume?.after);
        resume = report.resumeAfter === undefined ? undefined : { since: report.since, after: report.resumeAfter };
        return report.complete ? 'caught-up' : 'more-due';
      },
      context.logger,
    ),
    periodically(
      'PSP event catch-up requests',
      REQUEST_POLL_MS,
      async () => {
        const request = await requests.claim(new Date(), REQUEST_LEASE_MS);
        if (request === undefined) return 'caught-up';
        const report = await catchUp({ store: context.store, events, logger: context.logger, now: new Date(), maxPages: settings.maxPages }, request.since);
        await requests.answer(request.requestId, { ...report, since: report.since.toISOString() });
        return 'more-due';
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
          useFactory: (publisher: EventPublisher): IngressContext => ({ settings, store: deliveryStore(pool, publisher), metrics: new IngressMetrics(metrics), logger }),
        },
        { provide: PERIODIC_WORK, inject: [INGRESS_CONTEXT], useFactory: (context: IngressContext) => catchUpWork(context, catchUpRequestsOn(pool)) },
        PeriodicWorkLifecycle,
      ],
    };
  }
}
