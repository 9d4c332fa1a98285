import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { principalLabel, type Principal } from '../auth/principal';
import { merchantOf } from '../http/caller';
import { pageOf, type PageQuery } from '../http/page-query';
import { ProblemException } from '../http/problem';
import { TenantTransactions } from '../persistence/tenant-transactions';
import { SecurityEvents } from '../security/security-events';
import { endpointSecret, MAX_ENDPOINTS_PER_MERCHANT, ROTATION_OVERLAP_MS } from './endpoint-rules';
import { WebhookEndpointEntity, type EndpointStatus } from './webhook-endpoint.entity';

/** The platform's webhook signing key (GATEWAY_WEBHOOK_SIGNING_KEY_FILE); null: endpoints can be read, not created or rotated. */
export const WEBHOOK_SIGNING_KEY = Symbol('WEBHOOK_SIGNING_KEY');

export interface EndpointSpec {
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly description: string | null;
}

/** An endpoint with the secret it signs with now: answered once, at creation and at rotation. */
export interface EndpointWithSecret {
  readonly endpoint: WebhookEndpointEntity;
  readonly secret: string;
}

/**
 * Merchants' webhook endpoints, in the caller's tenant scope (another merchant's is 404). Every
 * change writes WebhookEndpointChanged in its transaction: the notification service's source.
 */
@Injectable()
export class WebhookEndpoints {
  constructor(
    @Inject(TenantTransactions) private readonly transactions: TenantTransactions,
    @Inject(SecurityEvents) private readonly securityEvents: SecurityEvents,
    @Inject(WEBHOOK_SIGNING_KEY) private readonly signingKey: string | null,
  ) {}

  create(principal: Principal, spec: EndpointSpec): Promise<EndpointWithSecret> {
    const key = this.requireKey();
    const merchantId = merchantOf(principal);
    const now = new Date();
    return this.transactions.run({ kind: 'tenant', tenantId: merchantId }, async (manager) => {
      // Counted under the merchant's row lock, so two creations at once cannot both pass the bound.
      await manager.query('SELECT 1 FROM merchants WHERE id = $1 FOR UPDATE', [merchantId]);
      const count = await manager.count(WebhookEndpointEntity, { where: { merchantId } });
      if (count >= MAX_ENDPOINTS_PER_MERCHANT) throw ProblemException.of('conflict', `A merchant has at most ${MAX_ENDPOINTS_PER_MERCHANT} webhook endpoints; disable and reuse one.`, { limit: MAX_ENDPOINTS_PER_MERCHANT });
      const by = principalLabel(principal);
      const endpoint = manager.create(WebhookEndpointEntity, { id: randomUUID(), merchantId, url: spec.url, description: spec.description, eventTypes: [...spec.eventTypes], status: 'ENABLED', secretVersion: 1, previousSecretValidUntil: null, createdBy: by, createdAt: now, updatedBy: by, updatedAt: now });
      await manager.insert(WebhookEndpointEntity, endpoint);
      await this.securityEvents.webhookEndpointChanged(manager, endpoint, 'CREATED', principal.actor, now);
      return { endpoint, secret: endpointSecret(key, endpoint.id, endpoint.secretVersion) };
    });
  }

  setStatus(principal: Principal, id: string, status: EndpointStatus): Promise<WebhookEndpointEntity> {
    return this.change(principal, id, (endpoint) => (endpoint.status === status ? null : { status }), status === 'ENABLED' ? 'ENABLED' : 'DISABLED');
  }

  /** A new secret; the previous one keeps signing for ROTATION_OVERLAP_MS. */
  async rotate(principal: Principal, id: string): Promise<EndpointWithSecret> {
    const key = this.requireKey();
    const endpoint = await this.change(principal, id, (current, now) => ({ secretVersion: current.secretVersion + 1, previousSecretValidUntil: new Date(now.getTime() + ROTATION_OVERLAP_MS) }), 'SECRET_ROTATED');
    return { endpoint, secret: endpointSecret(key, endpoint.id, endpoint.secretVersion) };
  }

  list(principal: Principal, query: PageQuery): Promise<{ rows: WebhookEndpointEntity[]; nextCursor: string | null }> {
    return this.transactions.run({ kind: 'tenant', tenantId: merchantOf(principal) }, (manager) => pageOf(manager, WebhookEndpointEntity, query));
  }

  async get(principal: Principal, id: string): Promise<WebhookEndpointEntity> {
    const row = await this.transactions.run({ kind: 'tenant', tenantId: merchantOf(principal) }, (manager) => manager.findOneBy(WebhookEndpointEntity, { id }));
    if (row === null) throw notFound(id);
    return row;
  }

  /** One change under the row's lock, with its event; a change that changes nothing (`null`) is answered as it is, without one. */
  private change(principal: Principal, id: string, patch: (current: WebhookEndpointEntity, now: Date) => Partial<WebhookEndpointEntity> | null, change: 'DISABLED' | 'ENABLED' | 'SECRET_ROTATED'): Promise<WebhookEndpointEntity> {
    const now = new Date();
    return this.transactions.run({ kind: 'tenant', tenantId: merchantOf(principal) }, async (manager: EntityManager) => {
      const current = await manager.findOne(WebhookEndpointEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (current === null) throw notFound(id);
      const changes = patch(current, now);
      if (changes === null) return current;
      const updated = { ...current, ...changes, updatedBy: principalLabel(principal), updatedAt: now };
      await manager.update(WebhookEndpointEntity, { id }, { ...changes, updatedBy: updated.updatedBy, updatedAt: now });
      await this.securityEvents.webhookEndpointChanged(manager, updated, change, principal.actor, now);
      return updated;
    });
  }

  private requireKey(): string {
    if (this.signingKey === null) throw ProblemException.of('unavailable', 'Webhook endpoints cannot be created or rotated: the platform has no webhook signing key configured (GATEWAY_WEBHOOK_SIGNING_KEY_FILE).');
    return this.signingKey;
  }
}

function notFound(id: string): ProblemException {
  return ProblemException.of('not-found', `There is no webhook endpoint ${id.slice(0, 100)}.`);
}
