import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { merchantOf } from '../http/caller';
import { pageOf, type PageQuery } from '../http/page-query';
import { ProblemException } from '../http/problem';
import { TenantTransactions } from '../persistence/tenant-transactions';
import { SecurityEvents } from '../security/security-events';
import { ApprovalEntity, type ApprovalDetails, type ApprovalOperation } from './approval.entity';
import { principalLabel, type Principal } from './principal';

/** How long a request waits for its second pair of eyes. */
export const APPROVAL_LIFETIME_MS = 24 * 3_600_000;

export type ApprovalStatus = ApprovalEntity['status'] | 'EXPIRED';

/** The status a reader sees: a pending request past its expiry is EXPIRED (and can no longer be decided). */
export function effectiveStatus(approval: Pick<ApprovalEntity, 'status' | 'expiresAt'>, now: Date): ApprovalStatus {
  return approval.status === 'PENDING' && approval.expiresAt.getTime() <= now.getTime() ? 'EXPIRED' : approval.status;
}

/**
 * Four-eyes requests (decision 0024), always in the caller's tenant scope (another merchant's is
 * 404). A request is decided once, by a principal other than the one who asked, before it expires.
 */
@Injectable()
export class Approvals {
  constructor(
    @Inject(TenantTransactions) private readonly transactions: TenantTransactions,
    @Inject(SecurityEvents) private readonly securityEvents: SecurityEvents,
  ) {}

  /** Records the request (and its ApprovalRequested) in the caller's transaction; `summary` says in words what approval would do. */
  async request(manager: EntityManager, principal: Principal, merchantId: string, request: { readonly operation: ApprovalOperation; readonly details: ApprovalDetails; readonly summary: string; readonly id?: string }, now: Date): Promise<ApprovalEntity> {
    const id = request.id ?? randomUUID();
    await manager.query(
      "INSERT INTO approvals (id, merchant_id, operation, details, status, requested_by, requested_at, expires_at) VALUES ($1, $2, $3, $4, 'PENDING', $5, $6, $7)",
      [id, merchantId, request.operation, JSON.stringify(request.details), principalLabel(principal), now, new Date(now.getTime() + APPROVAL_LIFETIME_MS)],
    );
    const approval = await manager.findOneByOrFail(ApprovalEntity, { id });
    await this.securityEvents.approvalRequested(manager, approval, request.summary, principal.actor, now);
    return approval;
  }

  /** The pending request, locked for its decision, or the problem saying why it cannot be decided by this principal now. */
  async lockDecidable(manager: EntityManager, principal: Principal, id: string, now: Date): Promise<ApprovalEntity> {
    const approval = await manager.findOne(ApprovalEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
    if (approval === null) throw notFound(id);
    const status = effectiveStatus(approval, now);
    if (status !== 'PENDING') throw ProblemException.of('conflict', `This request is ${status} and can no longer be decided.`, { currentStatus: status });
    if (approval.requestedBy === principalLabel(principal)) throw ProblemException.of('forbidden', 'Four eyes: a request is decided by someone other than the person who made it.');
    return approval;
  }

  async recordDecision(manager: EntityManager, approval: ApprovalEntity, principal: Principal, decision: { status: 'APPROVED' | 'REFUSED'; reason: string | null; resultId: string | null }, now: Date): Promise<ApprovalEntity> {
    await manager.update(ApprovalEntity, { id: approval.id }, { status: decision.status, decidedBy: principalLabel(principal), decidedAt: now, decisionReason: decision.reason, resultId: decision.resultId });
    const decided = await manager.findOneByOrFail(ApprovalEntity, { id: approval.id });
    await this.securityEvents.approvalDecided(manager, decided, principal.actor, now);
    return decided;
  }

  list(principal: Principal, query: PageQuery): Promise<{ rows: ApprovalEntity[]; nextCursor: string | null }> {
    return this.transactions.run({ kind: 'tenant', tenantId: merchantOf(principal) }, (manager) => pageOf(manager, ApprovalEntity, query, 'requestedAt'));
  }

  async get(principal: Principal, id: string): Promise<ApprovalEntity> {
    const row = await this.transactions.run({ kind: 'tenant', tenantId: merchantOf(principal) }, (manager) => manager.findOneBy(ApprovalEntity, { id }));
    if (row === null) throw notFound(id);
    return row;
  }
}

function notFound(id: string): ProblemException {
  return ProblemException.of('not-found', `There is no approval request ${id.slice(0, 100)}.`);
}
