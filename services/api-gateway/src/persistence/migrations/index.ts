import type { CodeMigration } from '@txn/service-kit';
import { typeormMigration } from '../typeorm-migrations';
import { Merchants002 } from './002-merchants';
import { ApiKeys003 } from './003-api-keys';
import { ReadModels004 } from './004-read-models';
import { Idempotency005 } from './005-idempotency';
import { KeyRateLimits006 } from './006-key-rate-limits';
import { LedgerReadModels007 } from './007-ledger-read-models';
import { Approvals008 } from './008-approvals';
import { Resources009 } from './009-resources';
import { PaymentDisputes010 } from './010-payment-disputes';
import { ReconciliationBreaks011 } from './011-reconciliation-breaks';
import { Refunds012 } from './012-refunds';
import { RefundApprovals013 } from './013-refund-approvals';
import { WebhookEndpoints014 } from './014-webhook-endpoints';
import { RefundPolicies015 } from './015-refund-policies';
import { PolicyApprovals016 } from './016-policy-approvals';
import { AuditRecords017 } from './017-audit-records';
import { CustomerDataKeys018 } from './018-customer-data-keys';

/** The gateway's TypeORM migrations, by version (1 is the inbox and outbox tables). Grants: migrations/grants.sql. */
export const GATEWAY_MIGRATIONS: readonly CodeMigration[] = [typeormMigration(2, new Merchants002()), typeormMigration(3, new ApiKeys003()), typeormMigration(4, new ReadModels004()), typeormMigration(5, new Idempotency005()), typeormMigration(6, new KeyRateLimits006()), typeormMigration(7, new LedgerReadModels007()), typeormMigration(8, new Approvals008()), typeormMigration(9, new Resources009()), typeormMigration(10, new PaymentDisputes010()), typeormMigration(11, new ReconciliationBreaks011()), typeormMigration(12, new Refunds012()), typeormMigration(13, new RefundApprovals013()), typeormMigration(14, new WebhookEndpoints014()), typeormMigration(15, new RefundPolicies015()), typeormMigration(16, new PolicyApprovals016()), typeormMigration(17, new AuditRecords017()), typeormMigration(18, new CustomerDataKeys018())];
