import { Module, type DynamicModule } from '@nestjs/common';
import type { Actor } from '@txn/contracts';
import { DECISION_SETTLER, decisionSettlerProvider, type DecisionSettler } from '@txn/nest-messaging';
import { PERIODIC_WORK, periodically, PeriodicWorkLifecycle, type ServiceDependencies } from '@txn/service-kit';
import { transactionsOn } from '@txn/sql';
import { explainBreaksIteration } from './application/explain-breaks/explain-breaks';
import { expireHoldsIteration } from './application/expire-holds/expire-holds';
import { LEDGER_CONTEXT, type LedgerContext } from './application/ledger-context';
import { ledgerDecisionStore, type LedgerDecision } from './application/ledger-decided';
import { registerOpenBreakMetrics } from './application/breaks/open-breaks-metric';
import { registerWaitingReleaseMetrics } from './application/on-booking-completed/waiting-releases';
import { BookingEventsController } from './messaging/booking-events.controller';
import { PaymentEventsController } from './messaging/payment-events.controller';
import { explanationStoreOn } from './persistence/explanation-store';
import { ledgerStore, openBreaksOn, waitingReleasesOn } from './persistence/ledger-store';
import type { LedgerSettings } from './settings';

/** How often an idle ledger looks for a person's explanation request: one indexed read, and the command waits at most this long. */
const EXPLANATION_POLL_MS = 1_000;

/** The ledger's wiring: its store behind the port, the one settler, the controllers, the hold-expiry sweeper and the explanation requests. */
@Module({})
export class LedgerModule {
  static with(dependencies: ServiceDependencies, settings: LedgerSettings): DynamicModule {
    const { config, logger, metrics, pool } = dependencies;
    const actor: Actor = { type: 'SERVICE', id: config.serviceName };
    const context: LedgerContext = { book: ledgerStore, actor, clock: () => new Date() };
    registerWaitingReleaseMetrics({ waiting: waitingReleasesOn(pool), metrics, logger });
    registerOpenBreakMetrics({ breaks: openBreaksOn(pool), metrics, logger });
    return {
      module: LedgerModule,
      controllers: [PaymentEventsController, BookingEventsController],
      providers: [
        { provide: LEDGER_CONTEXT, useValue: context },
        decisionSettlerProvider({ service: config.serviceName, store: ledgerDecisionStore(ledgerStore), logger, metrics }),
        {
          provide: PERIODIC_WORK,
          inject: [DECISION_SETTLER],
          useFactory: (settler: DecisionSettler<LedgerDecision, undefined>) => [
            periodically(
              'hold expiry sweep',
              settings.holdExpirySweepInterval_ms,
              () => expireHoldsIteration({ transactions: transactionsOn(pool), book: ledgerStore, settler, logger, batchSize: settings.holdExpiryBatchSize, grace_ms: settings.holdExpiryGrace_ms, clock: context.clock }),
              logger,
            ),
            periodically(
              'suspense explanation requests',
              EXPLANATION_POLL_MS,
              () => explainBreaksIteration({ transactions: transactionsOn(pool), book: ledgerStore, explanations: explanationStoreOn(pool), settler, logger, clock: context.clock }),
              logger,
            ),
          ],
        },
        PeriodicWorkLifecycle,
      ],
    };
  }
}
