import { Module, type DynamicModule } from '@nestjs/common';
import { EventPublisher } from '@txn/nest-messaging';
import { PERIODIC_WORK, periodically, PeriodicWorkLifecycle, type Runnable, type ServiceDependencies } from '@txn/service-kit';
import { catchUp, catchUpSince, type PspEventList } from './application/catch-up/catch-up';
import { IngressMetrics } from './http/ingress-metrics';
import { StripeWebhookController } from './http/stripe-webhook.controller';
import { INGRESS_CONTEXT, type IngressContext } from './ingress-context';
import { catchUpRequestsOn } from './persistence/catch-up-requests';
import { deliveryStore } from './persistence/delivery-store';
import type { CatchUpRequests } from './application/ports';
import { stripeEventList } from './psp/stripe-event-list';
import type { IngressSettings } from './settings';

type CatchUpSettings = NonNullable<IngressSettings['catchUp']>;

/** How often the ingress looks for a catch-up asked for by the command, and how long a claim is its own. */
const REQUEST_POLL_MS = 2_000;
const REQUEST_LEASE_MS = 10 * 60_000;

/** One account's catch-up as periodic work: at start, then every interval; a run that hit its page bound goes on at once. */
function accountCatchUp(context: IngressContext, account: string, events: PspEventList, settings: CatchUpSettings): Runnable {
  // Stripe lists newest first: a run stopped by its page bound is continued (same window, after
  // the oldest event it read), never restarted from the newest, which would skip the older ones.
  let resume: { readonly since: Date; readonly after: string } | undefined;
  return periodically(
    `PSP event catch-up (${account})`,
    settings.interval_ms,
    async () => {
      const dependencies = { account, store: context.store, events, logger: context.logger, now: new Date(), maxPages: settings.maxPages };
      const report = await catchUp(dependencies, resume?.since ?? (await catchUpSince(dependencies, 'stripe', settings.firstWindow_ms)), resume?.after);
      resume = report.resumeAfter === undefined ? undefined : { since: report.since, after: report.resumeAfter };
      return report.complete ? 'caught-up' : 'more-due';
    },
    context.logger,
  );
}

/**
 * The catch-up: a loop per PSP account with an API key, and the command's requests (`./platform
 * ingress catch-up [--account A]`), each claimed by one instance and read with that account's key.
 */
function catchUpWork(context: IngressContext, requests: CatchUpRequests): Runnable[] {
  const { catchUp: settings } = context.settings;
  if (settings === undefined) {
    context.logger.warn('no PSP_API_URL: events the PSP sent while the ingress was away are not fetched');
    return [];
  }
  const lists = new Map([...settings.accounts].map(([account, psp]) => [account, stripeEventList(psp)]));
  const unread = [...context.settings.stripeAccounts.keys()].filter((account) => !lists.has(account));
  if (unread.length > 0) context.logger.warn({ accounts: unread }, 'PSP accounts without an API key (WEBHOOK_STRIPE_<A>_API_KEY_FILE): their missed events are not fetched');
  return [
    ...[...lists].map(([account, events]) => accountCatchUp(context, account, events, settings)),
    periodically(
      'PSP event catch-up requests',
      REQUEST_POLL_MS,
      async () => {
        const request = await requests.claim(new Date(), REQUEST_LEASE_MS);
        if (request === undefined) return 'caught-up';
        const events = lists.get(request.account);
        if (events === undefined) {
          await requests.answer(request.requestId, { account: request.account, complete: false, error: `no PSP account "${request.account}" with an API key here` });
          return 'more-due';
        }
        const report = await catchUp({ account: request.account, store: context.store, events, logger: context.logger, now: new Date(), maxPages: settings.maxPages }, request.since);
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
