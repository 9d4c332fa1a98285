import { randomUUID } from 'node:crypto';
import { assertValidRefundPolicy } from '@txn/booking-domain';
import { SetRefundPolicy } from '@txn/contracts';
import type { EventPublisher } from '@txn/nest-messaging';
import { fromEntityManager } from '@txn/sql';
import type { EntityManager } from 'typeorm';
import type { SetRefundPolicyDetails } from '../../auth/approval.entity';
import { RefundPolicyViewEntity, type StoredTier } from '../../read-models/refund-policy-view.entity';
import { GATEWAY_PRODUCER, type CommandCaller } from '../command-envelope';

export interface RefundPolicyRequest {
  readonly tiers: readonly StoredTier[];
  readonly otherwise_bp: number;
  readonly reason: string;
}

/** The terms break booking's own rule (ordered by notice, at most 10 tiers, shares 0..10000 bp): the words why. */
export class InvalidRefundPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRefundPolicyError';
  }
}

/** How a staff user's change is put to a second person: the approval request, in the same transaction. */
export interface PolicyApprovals {
  readonly requestedByStaff: boolean;
  request(manager: EntityManager, approvalId: string, details: SetRefundPolicyDetails): Promise<{ readonly expiresAt: Date }>;
}

/** The request is no longer the change that waits (a later change replaced it): approving it would apply terms nobody asked for last. */
export class SupersededPolicyChangeError extends Error {
  constructor() {
    super('A later change replaced this one: it can no longer be approved.');
    this.name = 'SupersededPolicyChangeError';
  }
}

async function sendPolicy(manager: EntityManager, publisher: EventPublisher, caller: CommandCaller, request: RefundPolicyRequest, commandId: string, now: Date): Promise<void> {
  const envelope = { eventId: commandId, eventType: SetRefundPolicy.eventType, occurredAt: now, producer: GATEWAY_PRODUCER, aggregateId: caller.merchantId, aggregateVersion: 0n, correlationId: commandId, causationId: null, actor: caller.actor, tenantId: caller.merchantId };
  const tiers = request.tiers.map((tier) => ({ minNoticeMs: BigInt(tier.minNotice_ms), refundBp: tier.refund_bp }));
  await publisher.publish(fromEntityManager(manager), SetRefundPolicy, { envelope, tiers, otherwiseBp: request.otherwise_bp, reason: request.reason });
}

/**
 * PUT /v1/refund-policy: checked by booking's own rule first (so a malformed policy is a 400 here,
 * not a refusal nobody sees), then the requested terms on the merchant's row and, in the same
 * transaction, SetRefundPolicy in the outbox, or (a staff user's change) a four-eyes request
 * instead. Booking applies it and answers RefundPolicySet; until then the row shows the change as
 * pending, beside the terms that hold. A later change replaces a pending one.
 */
export async function requestRefundPolicy(manager: EntityManager, publisher: EventPublisher, caller: CommandCaller, request: RefundPolicyRequest, approvals: PolicyApprovals, now: Date): Promise<RefundPolicyViewEntity> {
  try {
    assertValidRefundPolicy({ tiers: request.tiers, otherwise_bp: request.otherwise_bp });
  } catch (error) {
    throw new InvalidRefundPolicyError((error as Error).message);
  }
  const commandId = approvals.requestedByStaff ? null : randomUUID();
  const approvalId = approvals.requestedByStaff ? randomUUID() : null;
  const expiresAt = approvalId === null ? null : (await approvals.request(manager, approvalId, { tiers: [...request.tiers], otherwise_bp: request.otherwise_bp, reason: request.reason })).expiresAt;
  const requested = {
    requestedTiers: [...request.tiers],
    requestedOtherwiseBp: request.otherwise_bp,
    requestedReason: request.reason,
    requestedBy: `${caller.actor.type}:${caller.actor.id}`,
    requestedAt: now,
    requestedCommandId: commandId,
    requestedApprovalId: approvalId,
    requestedApprovalExpiresAt: expiresAt,
    updatedAt: now,
  };
  await manager
    .createQueryBuilder()
    .insert()
    .into(RefundPolicyViewEntity)
    .values({ merchantId: caller.merchantId, version: 0n, ...requested })
    .orUpdate(['requested_tiers', 'requested_otherwise_bp', 'requested_reason', 'requested_by', 'requested_at', 'requested_command_id', 'requested_approval_id', 'requested_approval_expires_at', 'updated_at'], ['merchant_id'])
    .execute();
  if (commandId !== null) await sendPolicy(manager, publisher, caller, request, commandId, now);
  return manager.findOneByOrFail(RefundPolicyViewEntity, { merchantId: caller.merchantId });
}

/** A set_refund_policy request approved: the change it names is sent as the approver's act, if it is still the one waiting. */
export async function sendApprovedPolicy(manager: EntityManager, publisher: EventPublisher, approver: CommandCaller, approvalId: string, details: SetRefundPolicyDetails, now: Date): Promise<RefundPolicyViewEntity> {
  const row = await manager.findOne(RefundPolicyViewEntity, { where: { merchantId: approver.merchantId }, lock: { mode: 'pessimistic_write' } });
  if (row?.requestedApprovalId !== approvalId) throw new SupersededPolicyChangeError();
  const commandId = randomUUID();
  await manager.update(RefundPolicyViewEntity, { merchantId: approver.merchantId }, { requestedCommandId: commandId, requestedApprovalId: null, requestedApprovalExpiresAt: null, updatedAt: now });
  await sendPolicy(manager, publisher, approver, details, commandId, now);
  return manager.findOneByOrFail(RefundPolicyViewEntity, { merchantId: approver.merchantId });
}

/** A set_refund_policy request refused: its change stops being pending (unless a later one replaced it). */
export async function cancelAwaitingPolicy(manager: EntityManager, merchantId: string, approvalId: string, now: Date): Promise<void> {
  await manager.update(
    RefundPolicyViewEntity,
    { merchantId, requestedApprovalId: approvalId },
    { requestedTiers: null, requestedOtherwiseBp: null, requestedReason: null, requestedBy: null, requestedAt: null, requestedApprovalId: null, requestedApprovalExpiresAt: null, updatedAt: now },
  );
}
