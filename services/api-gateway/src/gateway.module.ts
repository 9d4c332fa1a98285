import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { ServiceDependencies } from '@txn/service-kit';
import { BookingCommands } from './application/booking-commands';
import { PaymentCommands } from './application/payment-commands';
import { RefundPolicies } from './application/refund-policies';
import { ResourceCommands } from './application/resource-commands';
import { ResourceReads } from './read-models/resource-views';
import { PERSONAL_DATA_SEALER, SCOPED_TRANSACTIONS } from './application/ports';
import { ApiKeyAuthenticator } from './auth/api-key-authenticator';
import { AuthGuard } from './auth/auth.guard';
import { DEFAULT_KEY_RATE_LIMIT, KEY_RATE_LIMIT, KeyRateLimiter } from './auth/key-rate-limiter';
import { StaffTokenVerifier } from './auth/staff-token';
import { WhoAmIController } from './auth/whoami.controller';
import { ApiKeysController } from './http/api-keys/api-keys.controller';
import { ApprovalsController } from './http/approvals/approvals.controller';
import { ApprovalDecisions } from './auth/approval-decisions';
import { Approvals } from './auth/approvals.service';
import { Merchants } from './auth/merchants.service';
import { ApiKeys } from './auth/api-keys.service';
import { MerchantsController } from './http/merchants/merchants.controller';
import { BookingsController } from './http/bookings/bookings.controller';
import { LedgerController } from './http/ledger/ledger.controller';
import { ReconciliationController } from './http/reconciliation/breaks.controller';
import { ReconBreaks } from './read-models/recon-breaks';
import { AuditRecords } from './read-models/audit-records';
import { CustomerKeys, PERSONAL_DATA_KEYRING } from './personal-data/customer-keys';
import { KEY_REWRAP_INTERVAL_MS, KeyRewrap } from './personal-data/key-rewrap';
import { CustomersController } from './http/customers/customers.controller';
import { AuditRecordsController } from './http/audit/audit-records.controller';
import { AuditEventsController } from './messaging/audit-events.controller';
import { NotificationEventsController } from './messaging/notification-events.controller';
import { RefundsController } from './http/payments/refunds.controller';
import { RefundPolicyController } from './http/refund-policy/refund-policy.controller';
import { WebhookEndpointsController } from './http/webhook-endpoints/webhook-endpoints.controller';
import { WEBHOOK_SIGNING_KEY, WebhookEndpoints } from './webhooks/webhook-endpoints.service';
import { PaymentsController } from './http/payments/payments.controller';
import { ProblemsController } from './http/problems.controller';
import { AttentionController } from './http/sagas/attention.controller';
import { idempotencyProviders } from './idempotency';
import { BookingEventsController } from './messaging/booking-events.controller';
import { ResourceEventsController } from './messaging/resource-events.controller';
import { ResourcesController } from './http/resources/resources.controller';
import { LedgerEventsController } from './messaging/ledger-events.controller';
import { PaymentEventsController } from './messaging/payment-events.controller';
import { GATEWAY_ENTITIES } from './persistence/entities';
import { TenantTransactions } from './persistence/tenant-transactions';
import { ReadModelChangeListener } from './read-models/change-listener';
import { LedgerJournal } from './read-models/journal';
import { ReadModels } from './read-models/read-models';
import { SecurityEvents } from './security/security-events';
import type { GatewaySettings } from './settings';

/** Connections TypeORM's pool may hold (besides the kit's pool, which the inbox consumer and the relay use). */
const TYPEORM_POOL_MAX = 10;

/** The gateway's wiring: TypeORM on its database (the runtime role), the tenant-scoped transactions, its HTTP and event controllers. */
@Module({})
export class GatewayModule {
  static with(dependencies: ServiceDependencies, settings: GatewaySettings): DynamicModule {
    const { config } = dependencies;
    return {
      module: GatewayModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          host: config.database.host,
          port: config.database.port,
          database: config.database.database,
          username: config.database.user,
          password: config.database.password,
          entities: [...GATEWAY_ENTITIES],
          // The schema is the migration step's (as the owner role); TypeORM never changes it.
          synchronize: false,
          migrationsRun: false,
          extra: { max: TYPEORM_POOL_MAX, application_name: `${config.serviceName}-typeorm`, statement_timeout: 15_000, connectionTimeoutMillis: 5_000 },
        }),
      ],
      controllers: [ProblemsController, WhoAmIController, MerchantsController, ApiKeysController, ApprovalsController, BookingsController, PaymentsController, RefundsController, AttentionController, BookingEventsController, PaymentEventsController, LedgerController, LedgerEventsController, ResourcesController, ResourceEventsController, ReconciliationController, WebhookEndpointsController, RefundPolicyController, AuditRecordsController, AuditEventsController, NotificationEventsController, CustomersController],
      providers: [TenantTransactions, { provide: SCOPED_TRANSACTIONS, useExisting: TenantTransactions }, BookingCommands, PaymentCommands, RefundPolicies, ResourceCommands, WebhookEndpoints, { provide: WEBHOOK_SIGNING_KEY, useValue: settings.webhookSigningKey ?? null }, ResourceReads, ReadModels, LedgerJournal, ReconBreaks, AuditRecords, CustomerKeys, KeyRewrap, { provide: KEY_REWRAP_INTERVAL_MS, useValue: settings.keyRewrapInterval_ms ?? 60_000 }, { provide: PERSONAL_DATA_SEALER, useExisting: CustomerKeys }, { provide: PERSONAL_DATA_KEYRING, useValue: settings.personalDataKeyring ?? null }, ReadModelChangeListener, ApiKeyAuthenticator, SecurityEvents, ApiKeys, Merchants, Approvals, ApprovalDecisions, KeyRateLimiter, { provide: KEY_RATE_LIMIT, useValue: settings.keyRateLimit ?? DEFAULT_KEY_RATE_LIMIT }, { provide: StaffTokenVerifier, useValue: new StaffTokenVerifier(settings.staffTokens) }, { provide: APP_GUARD, useClass: AuthGuard }, ...idempotencyProviders(settings.idempotency)],
      exports: [TenantTransactions],
    };
  }
}
