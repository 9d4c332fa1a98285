import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { EntityManager } from 'typeorm';
import type { Logger } from 'pino';
import { AccessDenied, ApiKeyCreated, ApiKeyRevoked, ApprovalGranted, ApprovalRefused, ApprovalRequested, StaffAuthenticated, WebhookEndpointChanged, type Actor, type Envelope } from '@txn/contracts';
import { EventPublisher } from '@txn/nest-messaging';
import { SERVICE_DEPENDENCIES, type ServiceDependencies } from '@txn/service-kit';
import { fromEntityManager, type SqlTransaction } from '@txn/sql';
import type { ApiKeyEntity } from '../auth/api-key.entity';
import type { ApprovalEntity } from '../auth/approval.entity';
import { TenantTransactions } from '../persistence/tenant-transactions';
import type { WebhookEndpointEntity } from '../webhooks/webhook-endpoint.entity';
import { AccessDeniedLimiter } from './access-denied-limiter';

/** envelope.tenantId and the Kafka key of a security event that belongs to no merchant (never a valid merchant id). */
export const PLATFORM_TENANT = '_platform';
const PRODUCER = 'api-gateway';
/** Staff tokens remembered (by digest) so that StaffAuthenticated is written once per token per instance. */
const SEEN_TOKENS_MAX = 10_000;

export type AccessDeniedFacts = Omit<AccessDenied, 'envelope' | 'suppressed'> & { readonly tenantId: string | null };

export interface StaffLoginFacts {
  readonly token: string;
  readonly subject: string;
  readonly roles: readonly string[];
  readonly merchant: string | null;
  readonly actingFor: string | null;
  readonly tokenId: string | null;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  readonly sourceAddress: string;
}

/**
 * The gateway's security events (security.events.v1) for the audit trail. Key events go into the
 * caller's transaction (same commit as the row); AccessDenied and StaffAuthenticated get their own
 * short transaction, AccessDenied bounded by the limiter (decision 0024). Security events are facts,
 * not states of one aggregate: aggregateId is the tenant (the topic's key), aggregateVersion the
 * event's time in milliseconds.
 */
@Injectable()
export class SecurityEvents {
  private readonly limiter = new AccessDeniedLimiter();
  private readonly suppressedTotal: Counter<'reason'>;
  private readonly writtenTotal: Counter<'event'>;
  private readonly seenTokens = new Set<string>();
  private readonly logger: Logger;

  constructor(
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
    @Inject(TenantTransactions) private readonly transactions: TenantTransactions,
    @Inject(SERVICE_DEPENDENCIES) dependencies: ServiceDependencies,
  ) {
    this.logger = dependencies.logger;
    this.suppressedTotal = new Counter({ name: 'gateway_access_denied_suppressed_total', help: 'Refusals (401/403) that got no AccessDenied event because one for the same source and reason was written within the window, by reason.', labelNames: ['reason'], registers: [dependencies.metrics] });
    this.writtenTotal = new Counter({ name: 'gateway_security_events_total', help: 'Security events written to the outbox, by event type.', labelNames: ['event'], registers: [dependencies.metrics] });
  }

  private envelope(eventType: string, tenantId: string | null, actor: Actor, correlationId: string, now: Date): Envelope {
    const tenant = tenantId ?? PLATFORM_TENANT;
    return { eventId: randomUUID(), eventType, occurredAt: now, producer: PRODUCER, aggregateId: tenant, aggregateVersion: BigInt(now.getTime()), correlationId, causationId: null, actor, tenantId: tenant };
  }

  async apiKeyCreated(manager: EntityManager, key: ApiKeyEntity, actor: Actor, now: Date): Promise<void> {
    await this.publisher.publish(fromEntityManager(manager), ApiKeyCreated, {
      envelope: this.envelope('ApiKeyCreated', key.merchantId, actor, key.id, now),
      keyId: key.id,
      merchantId: key.merchantId,
      prefix: key.prefix,
      name: key.name,
      role: key.role,
      scopes: key.scopes,
      expiresAt: key.expiresAt,
      createdBy: key.createdBy,
    });
    this.writtenTotal.inc({ event: 'ApiKeyCreated' });
  }

  /** An endpoint's row as it is after `change`, in the change's transaction (never a secret). */
  webhookEndpointChanged(manager: EntityManager, endpoint: WebhookEndpointEntity, change: 'CREATED' | 'DISABLED' | 'ENABLED' | 'SECRET_ROTATED', actor: Actor, now: Date): Promise<void> {
    return this.webhookEndpointChangedIn(fromEntityManager(manager), endpoint, change, actor, now);
  }

  /** The same, in a transaction that is not TypeORM's (a consumed event's: the notification service disabled the endpoint). */
  async webhookEndpointChangedIn(tx: SqlTransaction, endpoint: Pick<WebhookEndpointEntity, 'id' | 'merchantId' | 'url' | 'eventTypes' | 'status' | 'secretVersion' | 'previousSecretValidUntil' | 'updatedBy'>, change: 'CREATED' | 'DISABLED' | 'ENABLED' | 'SECRET_ROTATED', actor: Actor, now: Date): Promise<void> {
    await this.publisher.publish(tx, WebhookEndpointChanged, {
      envelope: this.envelope('WebhookEndpointChanged', endpoint.merchantId, actor, endpoint.id, now),
      endpointId: endpoint.id,
      merchantId: endpoint.merchantId,
      change,
      url: endpoint.url,
      eventTypes: endpoint.eventTypes,
      status: endpoint.status,
      secretVersion: endpoint.secretVersion,
      previousSecretValidUntil: endpoint.previousSecretValidUntil,
      changedBy: endpoint.updatedBy,
    });
    this.writtenTotal.inc({ event: 'WebhookEndpointChanged' });
  }

  async apiKeyRevoked(manager: EntityManager, key: ApiKeyEntity, actor: Actor, now: Date): Promise<void> {
    await this.publisher.publish(fromEntityManager(manager), ApiKeyRevoked, {
      envelope: this.envelope('ApiKeyRevoked', key.merchantId, actor, key.id, now),
      keyId: key.id,
      merchantId: key.merchantId,
      prefix: key.prefix,
      revokedAt: key.revokedAt ?? now,
      revokedBy: key.revokedBy ?? actor.id,
    });
    this.writtenTotal.inc({ event: 'ApiKeyRevoked' });
  }

  async approvalRequested(manager: EntityManager, approval: ApprovalEntity, summary: string, actor: Actor, now: Date): Promise<void> {
    const envelope = this.envelope('ApprovalRequested', approval.merchantId, actor, approval.id, now);
    await this.publisher.publish(fromEntityManager(manager), ApprovalRequested, { envelope, approvalId: approval.id, merchantId: approval.merchantId, operation: approval.operation, summary, requestedBy: approval.requestedBy, expiresAt: approval.expiresAt });
    this.writtenTotal.inc({ event: 'ApprovalRequested' });
  }

  /** The decision on a request (its row already says APPROVED or REFUSED), in the decision's transaction. */
  async approvalDecided(manager: EntityManager, approval: ApprovalEntity, actor: Actor, now: Date): Promise<void> {
    const common = { approvalId: approval.id, merchantId: approval.merchantId, operation: approval.operation, requestedBy: approval.requestedBy, decidedBy: approval.decidedBy ?? actor.id };
    if (approval.status === 'APPROVED') {
      await this.publisher.publish(fromEntityManager(manager), ApprovalGranted, { envelope: this.envelope('ApprovalGranted', approval.merchantId, actor, approval.id, now), ...common, resultId: approval.resultId });
    } else {
      await this.publisher.publish(fromEntityManager(manager), ApprovalRefused, { envelope: this.envelope('ApprovalRefused', approval.merchantId, actor, approval.id, now), ...common, reason: approval.decisionReason });
    }
    this.writtenTotal.inc({ event: approval.status === 'APPROVED' ? 'ApprovalGranted' : 'ApprovalRefused' });
  }

  /** Never throws: a refusal is answered whether or not its event could be written. */
  async accessDenied(facts: AccessDeniedFacts, now: Date): Promise<void> {
    const decision = this.limiter.admit(facts.sourceAddress, facts.reason, now.getTime());
    if (!decision.emit) {
      this.suppressedTotal.inc({ reason: facts.reason });
      return;
    }
    const { tenantId, ...payload } = facts;
    const actor: Actor = facts.keyPrefix !== null ? { type: 'API_KEY', id: `prefix:${facts.keyPrefix}` } : facts.subject !== null ? { type: 'SERVICE', id: `staff:${facts.subject}` } : { type: 'SYSTEM', id: 'anonymous' };
    const envelope = this.envelope('AccessDenied', tenantId, actor, randomUUID(), now);
    await this.ownTransaction('AccessDenied', tenantId, (manager) => this.publisher.publish(fromEntityManager(manager), AccessDenied, { envelope, ...payload, suppressed: BigInt(decision.suppressedBefore) }));
  }

  /** Once per token per instance (a staff login as the gateway sees it); never throws. */
  async staffAuthenticated(facts: StaffLoginFacts, actor: Actor, now: Date): Promise<void> {
    const digest = createHash('sha256').update(facts.token).digest('base64url');
    if (this.seenTokens.has(digest)) return;
    if (this.seenTokens.size >= SEEN_TOKENS_MAX) this.seenTokens.delete(this.seenTokens.values().next().value ?? '');
    this.seenTokens.add(digest);
    const { token: _token, ...payload } = facts;
    const envelope = this.envelope('StaffAuthenticated', facts.actingFor, actor, randomUUID(), now);
    await this.ownTransaction('StaffAuthenticated', facts.actingFor, (manager) => this.publisher.publish(fromEntityManager(manager), StaffAuthenticated, { envelope, ...payload, roles: [...payload.roles] }));
  }

  private async ownTransaction(event: string, tenantId: string | null, work: (manager: EntityManager) => Promise<void>): Promise<void> {
    try {
      await this.transactions.run(tenantId === null ? { kind: 'platform' } : { kind: 'tenant', tenantId }, work);
      this.writtenTotal.inc({ event });
    } catch (error) {
      this.logger.error({ err: error, event }, 'a security event could not be written');
    }
  }
}
