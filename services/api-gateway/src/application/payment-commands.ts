import { Inject, Injectable } from '@nestjs/common';
import { EventPublisher } from '@txn/nest-messaging';
import type { EntityManager } from 'typeorm';
import type { RefundPaymentDetails } from '../auth/approval.entity';
import { Approvals } from '../auth/approvals.service';
import type { Principal } from '../auth/principal';
import type { RefundViewEntity } from '../read-models/refund-view.entity';
import type { CommandCaller } from './command-envelope';
import { SCOPED_TRANSACTIONS, type ScopedTransactions } from './ports';
import { cancelAwaitingRefund, requestRefund, sendApprovedRefund, type RefundApprovals, type RefundRequest } from './refund-payment/refund-payment';

/** The payment commands the API sends, each in one transaction scoped to the caller's merchant. */
@Injectable()
export class PaymentCommands {
  constructor(
    @Inject(SCOPED_TRANSACTIONS) private readonly transactions: ScopedTransactions,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
    @Inject(Approvals) private readonly approvals: Approvals,
  ) {}

  refund(principal: Principal, caller: CommandCaller, request: RefundRequest, now: Date): Promise<RefundViewEntity> {
    const approvals: RefundApprovals = {
      requestedByStaff: principal.kind === 'staff',
      request: (manager, approvalId, details) =>
        this.approvals.request(manager, principal, caller.merchantId, { id: approvalId, operation: 'refund_payment', details, summary: `refund of ${details.amountMinor} ${details.currency} (minor units) of payment ${details.paymentId}` }, now),
    };
    return this.transactions.run({ kind: 'tenant', tenantId: caller.merchantId }, (manager) => requestRefund(manager, this.publisher, caller, request, approvals, now));
  }

  /** In the approval's transaction (ApprovalDecisions). */
  sendApproved(manager: EntityManager, approver: CommandCaller, details: RefundPaymentDetails, now: Date): Promise<RefundViewEntity> {
    return sendApprovedRefund(manager, this.publisher, approver, details, now);
  }

  /** In the refusal's transaction (ApprovalDecisions). */
  cancelAwaiting(manager: EntityManager, details: RefundPaymentDetails, now: Date): Promise<void> {
    return cancelAwaitingRefund(manager, details.refundId, now);
  }
}
