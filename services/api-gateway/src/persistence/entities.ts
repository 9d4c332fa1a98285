import { ApiKeyEntity } from '../auth/api-key.entity';
import { ApprovalEntity } from '../auth/approval.entity';
import { IdempotencyRecordEntity } from '../idempotency/idempotency-record.entity';
import { BookingViewEntity, PaymentViewEntity } from '../read-models/read-model.entities';
import { RefundPolicyViewEntity } from '../read-models/refund-policy-view.entity';
import { RefundViewEntity } from '../read-models/refund-view.entity';
import { ResourceViewEntity } from '../read-models/resource-view.entity';
import { WebhookEndpointEntity } from '../webhooks/webhook-endpoint.entity';
import { MerchantEntity } from './merchant.entity';

/** Every TypeORM entity of the gateway (the DataSource's list). */
export const GATEWAY_ENTITIES = [MerchantEntity, ApiKeyEntity, ApprovalEntity, IdempotencyRecordEntity, BookingViewEntity, PaymentViewEntity, ResourceViewEntity, RefundViewEntity, WebhookEndpointEntity, RefundPolicyViewEntity] as const;
