import { Module, type DynamicModule } from '@nestjs/common';
import type { Actor } from '@txn/contracts';
import { DECISION_SETTLER, decisionSettlerProvider, EventPublisher, type DecisionSettler } from '@txn/nest-messaging';
import { feeTermsFor, type FeeTerms, type PaymentDecision } from '@txn/payment-domain';
import { PERIODIC_WORK, periodically, PeriodicWorkLifecycle, type Runnable, type ServiceDependencies } from '@txn/service-kit';
import { transactionsOn } from '@txn/sql';
import { PspCallDispatcher } from './application/make-psp-calls/call-dispatcher';
import { registerParkedCallMetrics } from './application/make-psp-calls/parked-calls-metric';
import { PAYMENT_CONTEXT, type PaymentContext } from './application/payment-context';
import { paymentDecisionStore, type PaymentWrite } from './application/payment-decided';
import type { Payments } from './application/ports';
import type { PaymentServiceProvider } from './application/psp-port';
import { OutcomePoller } from './application/resolve-unknown-outcomes/outcome-poller';
import { registerPastScheduleMetrics } from './application/resolve-unknown-outcomes/past-schedule-metric';
import { PspBreakRecorder, registerOpenBreakMetrics } from './application/apply-psp-events/break-recorder';
import { UnmatchedEventSweep } from './application/apply-psp-events/unmatched-sweep';
import { Reconciliation } from './application/reconcile/reconciliation';
import { reconciliationStore } from './persistence/reconciliation-store';
import { BookingEventsController, BookingStatusController } from './messaging/booking-events.controller';
import { LedgerEventsController } from './messaging/ledger-events.controller';
import { PaymentCommandsController } from './messaging/payment-commands.controller';
import { PspEventsController } from './messaging/psp-events.controller';
import { reconProjectionStore } from './persistence/recon-projection-store';
import { paymentStore } from './persistence/payment-store';
import { openBreaksOn, pspBreakStore, unmatchedEventStore } from './persistence/psp-break-store';
import { callNotifications, parkedCallsOn, pspCallStore } from './persistence/psp-call-store';
import { unresolvedOutcomesOn } from './persistence/unresolved-outcome-store';
import type { PaymentSettings } from './settings';

/** Claimed work is ours for the PSP timeout plus this margin (the time to record the answer). */
const LEASE_MARGIN_MS = 5_000;
/** Payments asked about per poller sweep (each is one PSP request, made concurrently). */
const OUTCOME_BATCH_SIZE = 20;
const LISTEN_CONNECT_TIMEOUT_MS = 5_000;
/** Unmatched PSP events checked per sweep, and how many failed checks before one is raised as a break anyway. */
const UNMATCHED_BATCH_SIZE = 20;
const UNMATCHED_MAX_CHECKS = 5;
/** One reconciliation run reads at most this many PSP pages (100 intents each) and payments; beyond, it fails and says so. */
const RECON_MAX_PSP_PAGES = 200;
const RECON_MAX_PAYMENTS = 20_000;
/** The actor of changes the PSP made by itself: what webhook-ingress names the PSP in its events. */
const PSP_ACTOR: Actor = { type: 'SYSTEM', id: 'psp:stripe' };

type PaymentSettler = DecisionSettler<PaymentDecision, PaymentWrite>;

/** The dispatcher (PSP calls after commit) and the outcome poller, run while the application runs. */
function pspWork(dependencies: ServiceDependencies, settings: PaymentSettings, psp: PaymentServiceProvider, settler: PaymentSettler, actor: Actor, payments: Payments, breaks: PspBreakRecorder): Runnable[] {
  const { config, logger, metrics, pool } = dependencies;
  const lease_ms = settings.psp.timeout_ms + LEASE_MARGIN_MS;
  const transactions = transactionsOn(pool);
  const clock = (): Date => new Date();
  const wakeups = callNotifications({ ...config.database, connectionTimeoutMillis: LISTEN_CONNECT_TIMEOUT_MS, application_name: `${config.serviceName}-psp-calls` }, logger);
  const dispatcher = new PspCallDispatcher({
    transactions,
    payments,
    calls: pspCallStore,
    wakeups,
    psp,
    settler,
    logger,
    metrics,
    actor,
    interval_ms: settings.callPollInterval_ms,
    batchSize: settings.callBatchSize,
    retryPolicy: settings.callRetryPolicy,
    lease_ms,
    clock,
  });
  registerParkedCallMetrics({ parked: parkedCallsOn(pool), metrics, logger });
  const poller = new OutcomePoller({ transactions, payments, psp, settler, logger, metrics, actor, batchSize: OUTCOME_BATCH_SIZE, maxClaims: settings.callRetryPolicy.maxAttempts, lease_ms, clock, breaks, pspActor: PSP_ACTOR });
  const polling = periodically('outcome poll', settings.outcomePollInterval_ms, () => poller.iteration(), logger);
  // A due query is claimed within a poll interval and then leased: two of each and it is overdue.
  const overdueAfter_ms = 2 * (lease_ms + settings.outcomePollInterval_ms);
  registerPastScheduleMetrics({ outcomes: unresolvedOutcomesOn(pool), metrics, logger, clock, overdueAfter_ms, maxClaims: settings.callRetryPolicy.maxAttempts });
  const sweep = new UnmatchedEventSweep({ transactions, payments, psp, settler, logger, metrics, actor, lease_ms, clock, unmatched: unmatchedEventStore, breaks, batchSize: UNMATCHED_BATCH_SIZE, maxChecks: UNMATCHED_MAX_CHECKS });
  const sweeping = periodically('unmatched PSP events', settings.outcomePollInterval_ms, () => sweep.iteration(), logger);
  registerOpenBreakMetrics({ open: openBreaksOn(pool), metrics, logger, clock });
  const reconciliation = new Reconciliation({
    transactions, payments, psp, settler, logger, metrics, actor, lease_ms, clock, breaks,
    records: reconciliationStore(pool),
    ...settings.recon,
    maxPspPages: RECON_MAX_PSP_PAGES,
    maxPayments: RECON_MAX_PAYMENTS,
  });
  const reconciling = periodically('reconciliation', settings.recon.poll_ms, () => reconciliation.iteration(), logger);
  return [dispatcher, polling, sweeping, reconciling];
}

/** Payment's wiring: its stores behind the ports, the one settler, the controller, and the PSP work. */
@Module({})
export class PaymentModule {
  static with(dependencies: ServiceDependencies, settings: PaymentSettings, psp: PaymentServiceProvider, paymentMethodOf: (customerId: string) => string): DynamicModule {
    const { config, logger, metrics } = dependencies;
    const actor: Actor = { type: 'SERVICE', id: config.serviceName };
    const clock = (): Date => new Date();
    const { feeSchedule } = settings;
    const feeTermsOf = (tenantId: string): FeeTerms => feeTermsFor(feeSchedule, tenantId);
    logger.info({ feeScheduleVersion: feeSchedule.version, defaultFeeBps: feeSchedule.defaultBps, merchantRates: feeSchedule.byMerchant.size }, 'payment fee schedule');
    const payments = paymentStore(feeTermsOf);
    const breaksOf = (outbox: EventPublisher): PspBreakRecorder => new PspBreakRecorder(pspBreakStore, logger, metrics, { outbox, service: config.serviceName, actor, clock });
    const store = paymentDecisionStore(payments, pspCallStore, { queryTimeDivisor: settings.outcomeQueryTimeDivisor, clock });
    return {
      module: PaymentModule,
      controllers: [BookingEventsController, BookingStatusController, PspEventsController, LedgerEventsController, PaymentCommandsController],
      providers: [
        { provide: PspBreakRecorder, inject: [EventPublisher], useFactory: breaksOf },
        {
          provide: PAYMENT_CONTEXT,
          inject: [PspBreakRecorder],
          useFactory: (breaks: PspBreakRecorder): PaymentContext => ({ payments, actor, paymentMethodOf, feeTermsOf, clock, unmatched: unmatchedEventStore, breaks, projections: reconProjectionStore }),
        },
        decisionSettlerProvider({ service: config.serviceName, store, logger, metrics }),
        {
          provide: PERIODIC_WORK,
          inject: [DECISION_SETTLER, PspBreakRecorder],
          useFactory: (settler: PaymentSettler, breaks: PspBreakRecorder) => pspWork(dependencies, settings, psp, settler, actor, payments, breaks),
        },
        PeriodicWorkLifecycle,
      ],
    };
  }
}
