import { Inject, Injectable } from '@nestjs/common';
import { EventPublisher } from '@txn/nest-messaging';
import type { EntityManager } from 'typeorm';
import type { SetRefundPolicyDetails } from '../auth/approval.entity';
import { Approvals } from '../auth/approvals.service';
import type { Principal } from '../auth/principal';
import { RefundPolicyViewEntity } from '../read-models/refund-policy-view.entity';
import type { CommandCaller } from './command-envelope';
import { SCOPED_TRANSACTIONS, type ScopedTransactions } from './ports';
import { cancelAwaitingPolicy, requestRefundPolicy, sendApprovedPolicy, type PolicyApprovals, type RefundPolicyRequest } from './set-refund-policy/set-refund-policy';

/** The merchant's refund policy: read, and set through booking (a staff user's change after four eyes), in the caller's merchant scope. */
@Injectable()
export class RefundPolicies {
  constructor(
    @Inject(SCOPED_TRANSACTIONS) private readonly transactions: ScopedTransactions,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
    @Inject(Approvals) private readonly approvals: Approvals,
  ) {}

  read(merchantId: string): Promise<RefundPolicyViewEntity | null> {
    return this.transactions.run({ kind: 'tenant', tenantId: merchantId }, (manager) => manager.findOneBy(RefundPolicyViewEntity, { merchantId }));
  }

  set(principal: Principal, caller: CommandCaller, request: RefundPolicyRequest, now: Date): Promise<RefundPolicyViewEntity> {
    const approvals: PolicyApprovals = {
      requestedByStaff: principal.kind === 'staff',
      request: (manager, approvalId, details) => {
        const summary = `refund policy: ${details.tiers.map((tier) => `${tier.refund_bp} bp from ${tier.minNotice_ms / 1_000} s`).join(', ') || 'no tiers'}, otherwise ${details.otherwise_bp} bp`;
        return this.approvals.request(manager, principal, caller.merchantId, { id: approvalId, operation: 'set_refund_policy', details, summary }, now);
      },
    };
    return this.transactions.run({ kind: 'tenant', tenantId: caller.merchantId }, (manager) => requestRefundPolicy(manager, this.publisher, caller, request, approvals, now));
  }

  /** In the approval's transaction (ApprovalDecisions). */
  sendApproved(manager: EntityManager, approver: CommandCaller, approvalId: string, details: SetRefundPolicyDetails, now: Date): Promise<RefundPolicyViewEntity> {
    return sendApprovedPolicy(manager, this.publisher, approver, approvalId, details, now);
  }

  /** In the refusal's transaction (ApprovalDecisions). */
  cancelAwaiting(manager: EntityManager, merchantId: string, approvalId: string, now: Date): Promise<void> {
    return cancelAwaitingPolicy(manager, merchantId, approvalId, now);
  }
}
