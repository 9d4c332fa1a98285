import { Inject, Injectable } from '@nestjs/common';
import type { CreatedApiKeyView } from '../http/api-keys/api-key.dto';
import { merchantOf } from '../http/caller';
import { TenantTransactions } from '../persistence/tenant-transactions';
import { ApiKeys } from './api-keys.service';
import type { ApprovalEntity } from './approval.entity';
import { Approvals } from './approvals.service';
import type { Principal } from './principal';

/**
 * Deciding a four-eyes request: approval carries the operation out in the same transaction as the
 * decision (the row, its ApprovalGranted and the key's ApiKeyCreated commit together or not at
 * all); the new key is answered to the approver, once. Refusal does nothing but record it.
 */
@Injectable()
export class ApprovalDecisions {
  constructor(
    @Inject(TenantTransactions) private readonly transactions: TenantTransactions,
    @Inject(Approvals) private readonly approvals: Approvals,
    @Inject(ApiKeys) private readonly apiKeys: ApiKeys,
  ) {}

  approve(principal: Principal, id: string): Promise<{ approval: ApprovalEntity; key: CreatedApiKeyView }> {
    const now = new Date();
    const merchantId = merchantOf(principal);
    return this.transactions.run({ kind: 'tenant', tenantId: merchantId }, async (manager) => {
      const pending = await this.approvals.lockDecidable(manager, principal, id, now);
      const key = await this.apiKeys.insertKey(manager, merchantId, pending.details, pending.requestedBy, principal.actor, now);
      const approval = await this.approvals.recordDecision(manager, pending, principal, { status: 'APPROVED', reason: null, resultId: key.id }, now);
      return { approval, key };
    });
  }

  refuse(principal: Principal, id: string, reason: string | null): Promise<ApprovalEntity> {
    const now = new Date();
    return this.transactions.run({ kind: 'tenant', tenantId: merchantOf(principal) }, async (manager) => {
      const pending = await this.approvals.lockDecidable(manager, principal, id, now);
      return this.approvals.recordDecision(manager, pending, principal, { status: 'REFUSED', reason, resultId: null }, now);
    });
  }
}
