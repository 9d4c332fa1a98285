import { Inject, Injectable } from '@nestjs/common';
import { PaymentCommands } from '../application/payment-commands';
import { RefundPolicies } from '../application/refund-policies';
import type { CreatedApiKeyView } from '../http/api-keys/api-key.dto';
import { callerOf, merchantOf } from '../http/caller';
import { TenantTransactions } from '../persistence/tenant-transactions';
import type { RefundViewEntity } from '../read-models/refund-view.entity';
import { ApiKeys } from './api-keys.service';
import type { ApprovalEntity, CreateApiKeyDetails, RefundPaymentDetails, SetRefundPolicyDetails } from './approval.entity';
import { Approvals } from './approvals.service';
import type { Principal } from './principal';

/** What an approval did: the key it created (answered once), the refund it sent, or (set_refund_policy) neither: the policy is read at GET /v1/refund-policy. */
export interface Approved {
  readonly approval: ApprovalEntity;
  readonly key: CreatedApiKeyView | null;
  readonly refund: RefundViewEntity | null;
}

/**
 * Deciding a four-eyes request: approval carries the operation out in the same transaction as the
 * decision (the row, its ApprovalGranted and the key's ApiKeyCreated, or the refund's
 * RefundPayment, commit together or not at all). Refusal records it, and ends a waiting refund.
 */
@Injectable()
export class ApprovalDecisions {
  constructor(
    @Inject(TenantTransactions) private readonly transactions: TenantTransactions,
    @Inject(Approvals) private readonly approvals: Approvals,
    @Inject(ApiKeys) private readonly apiKeys: ApiKeys,
    @Inject(PaymentCommands) private readonly payments: PaymentCommands,
    @Inject(RefundPolicies) private readonly policies: RefundPolicies,
  ) {}

  approve(principal: Principal, id: string): Promise<Approved> {
    const now = new Date();
    const merchantId = merchantOf(principal);
    return this.transactions.run({ kind: 'tenant', tenantId: merchantId }, async (manager) => {
      const pending = await this.approvals.lockDecidable(manager, principal, id, now);
      if (pending.operation === 'refund_payment') {
        // Judged again now: a refund it no longer fits is refused (422) and the request stays to be refused.
        const refund = await this.payments.sendApproved(manager, callerOf(principal), pending.details as RefundPaymentDetails, now);
        const approval = await this.approvals.recordDecision(manager, pending, principal, { status: 'APPROVED', reason: null, resultId: refund.refundId }, now);
        return { approval, key: null, refund };
      }
      if (pending.operation === 'set_refund_policy') {
        await this.policies.sendApproved(manager, callerOf(principal), pending.id, pending.details as SetRefundPolicyDetails, now);
        const approval = await this.approvals.recordDecision(manager, pending, principal, { status: 'APPROVED', reason: null, resultId: null }, now);
        return { approval, key: null, refund: null };
      }
      const key = await this.apiKeys.insertKey(manager, merchantId, pending.details as CreateApiKeyDetails, pending.requestedBy, principal.actor, now);
      const approval = await this.approvals.recordDecision(manager, pending, principal, { status: 'APPROVED', reason: null, resultId: key.id }, now);
      return { approval, key, refund: null };
    });
  }

  refuse(principal: Principal, id: string, reason: string | null): Promise<ApprovalEntity> {
    const now = new Date();
    return this.transactions.run({ kind: 'tenant', tenantId: merchantOf(principal) }, async (manager) => {
      const pending = await this.approvals.lockDecidable(manager, principal, id, now);
      if (pending.operation === 'refund_payment') await this.payments.cancelAwaiting(manager, pending.details as RefundPaymentDetails, now);
      if (pending.operation === 'set_refund_policy') await this.policies.cancelAwaiting(manager, pending.merchantId, pending.id, now);
      return this.approvals.recordDecision(manager, pending, principal, { status: 'REFUSED', reason, resultId: null }, now);
    });
  }
}
