import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor } from '@txn/contracts';
import { ApiKeyEntity } from './api-key.entity';
import type { ApprovalEntity, CreateApiKeyDetails } from './approval.entity';
import { Approvals } from './approvals.service';
import { issueApiKey } from './api-key-secret';
import { isPermission, ROLE_PERMISSIONS, type Role } from './permissions';
import { principalLabel, type Principal } from './principal';
import { MerchantEntity } from '../persistence/merchant.entity';
import { TenantTransactions } from '../persistence/tenant-transactions';
import { SecurityEvents } from '../security/security-events';
import { merchantOf } from '../http/caller';
import { pageOf, type PageQuery } from '../http/page-query';
import { ProblemException } from '../http/problem';
import { apiKeyView, KEY_ROLES, type ApiKeyView, type CreatedApiKeyView, type CreateApiKeyBody } from '../http/api-keys/api-key.dto';


/** The roles a principal may give a key: those whose every permission it holds itself. */
export function grantableRoles(principal: Principal): Role[] {
  return KEY_ROLES.filter((role) => [...ROLE_PERMISSIONS[role]].every((permission) => principal.permissions.has(permission)));
}

/**
 * A merchant's API keys, always in the caller's tenant scope: row-level security makes another
 * merchant's key invisible, so it answers 404 like a key that never existed. Creation and
 * revocation write the row and their security event in one transaction.
 */
@Injectable()
export class ApiKeys {
  constructor(
    @Inject(TenantTransactions) private readonly transactions: TenantTransactions,
    @Inject(SecurityEvents) private readonly securityEvents: SecurityEvents,
    @Inject(Approvals) private readonly approvals: Approvals,
  ) {}

  /**
   * Creates the key at once, or, for an owner key asked for by staff, records a four-eyes request
   * instead (the key is made when someone else approves it; decision 0024).
   */
  async create(principal: Principal, body: CreateApiKeyBody): Promise<CreatedApiKeyView | { approval: ApprovalEntity }> {
    const merchantId = merchantOf(principal);
    const spec = checkedKeySpec(principal, body);
    const now = new Date();
    if (principal.kind === 'staff' && spec.role === 'owner') {
      const approval = await this.transactions.run({ kind: 'tenant', tenantId: merchantId }, async (manager) => {
        await this.requireMerchant(manager, merchantId);
        return this.approvals.request(manager, principal, merchantId, { operation: 'create_api_key', details: spec, summary: `${spec.role} key "${spec.name}"` }, now);
      });
      return { approval };
    }
    return this.transactions.run({ kind: 'tenant', tenantId: merchantId }, async (manager) => {
      await this.requireMerchant(manager, merchantId);
      return this.insertKey(manager, merchantId, spec, principalLabel(principal), principal.actor, now);
    });
  }

  /** Writes the key and its ApiKeyCreated in the caller's transaction; the whole key is in the answer only. */
  async insertKey(manager: EntityManager, merchantId: string, spec: CreateApiKeyDetails, createdBy: string, actor: Actor, now: Date): Promise<CreatedApiKeyView> {
    const issued = await issueApiKey();
    const id = randomUUID();
    // Explicit columns: the runtime role may insert only these (grants.sql), and TypeORM's insert names them all.
    await manager.query('INSERT INTO api_keys (id, merchant_id, prefix, secret_hash, name, role, scopes, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
      id,
      merchantId,
      issued.prefix,
      issued.secretHash,
      spec.name,
      spec.role,
      spec.scopes,
      createdBy,
      spec.expiresAt === null ? null : new Date(spec.expiresAt),
    ]);
    const created = await manager.findOneByOrFail(ApiKeyEntity, { id });
    await this.securityEvents.apiKeyCreated(manager, created, actor, now);
    return { ...apiKeyView(created), key: issued.key };
  }

  async list(principal: Principal, query: PageQuery): Promise<{ data: ApiKeyView[]; nextCursor: string | null }> {
    const page = await this.transactions.run({ kind: 'tenant', tenantId: merchantOf(principal) }, (manager) => pageOf(manager, ApiKeyEntity, query));
    return { data: page.rows.map(apiKeyView), nextCursor: page.nextCursor };
  }

  async get(principal: Principal, id: string): Promise<ApiKeyView> {
    const row = await this.transactions.run({ kind: 'tenant', tenantId: merchantOf(principal) }, (manager) => manager.findOneBy(ApiKeyEntity, { id }));
    if (row === null) throw notFound(id);
    return apiKeyView(row);
  }

  /** Revoked at once (every instance reads the row on every request); revoking a revoked key changes nothing and writes no event. */
  async revoke(principal: Principal, id: string): Promise<ApiKeyView> {
    const now = new Date();
    const row = await this.transactions.run({ kind: 'tenant', tenantId: merchantOf(principal) }, async (manager) => {
      const key = await manager.findOne(ApiKeyEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (key === null) throw notFound(id);
      if (key.revokedAt !== null) return key;
      await manager.update(ApiKeyEntity, { id }, { revokedAt: now, revokedBy: principalLabel(principal) });
      const revoked = await manager.findOneByOrFail(ApiKeyEntity, { id });
      await this.securityEvents.apiKeyRevoked(manager, revoked, principal.actor, now);
      return revoked;
    });
    return apiKeyView(row);
  }

  /** A platform-admin may name a merchant that does not exist (Txn-Merchant): 404, not a foreign-key error. */
  private async requireMerchant(manager: EntityManager, merchantId: string): Promise<void> {
    if ((await manager.countBy(MerchantEntity, { id: merchantId })) === 0) throw ProblemException.of('not-found', `There is no merchant ${merchantId}.`);
  }
}

/** The key a principal asks for, checked: a role not above its own, scopes within the role. */
export function checkedKeySpec(principal: Principal, body: CreateApiKeyBody): CreateApiKeyDetails {
  const role = body.role as Role;
  const allowed = grantableRoles(principal);
  if (!allowed.includes(role)) throw ProblemException.of('forbidden', `This credential may not create a ${role} key: a key's role is never above its creator's.`, { grantableRoles: allowed });
  const scopes = [...new Set(body.scopes ?? [])].filter(isPermission);
  const outside = scopes.filter((scope) => !ROLE_PERMISSIONS[role].has(scope));
  if (outside.length > 0) throw new ProblemException({ ...ProblemException.of('validation-failed', `Scopes narrow the role; ${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} not the ${role}'s.`).problem, errors: [{ pointer: '/scopes', detail: `not permissions of the role ${role}: ${outside.join(', ')}` }] });
  return { name: body.name, role, scopes, expiresAt: body.expiresAt ?? null };
}

function notFound(id: string): ProblemException {
  return ProblemException.of('not-found', `There is no API key ${id.slice(0, 100)}.`);
}
