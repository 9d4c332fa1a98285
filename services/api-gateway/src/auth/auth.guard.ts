import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { decodeJwt } from 'jose';
import type { Logger } from 'pino';
import { SERVICE_DEPENDENCIES, type ServiceDependencies } from '@txn/service-kit';
import { ProblemException } from '../http/problem';
import { SecurityEvents, type AccessDeniedFacts } from '../security/security-events';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { KeyRateLimiter } from './key-rate-limiter';
import { parseApiKey } from './api-key-secret';
import type { Permission } from './permissions';
import { AUTHENTICATED_ROUTE, PUBLIC_ROUTE, REQUIRED_PERMISSION, type Principal } from './principal';
import { MERCHANT_ID, staffPrincipal, StaffTokenVerifier } from './staff-token';

export const WWW_AUTHENTICATE = 'Bearer realm="txn"';
/** The header a platform-admin names the merchant it acts for with. */
export const ACTING_FOR_HEADER = 'txn-merchant';

/** A 401 says only that credentials are missing or not accepted: never which part was wrong. */
export function unauthenticated(): ProblemException {
  return new ProblemException(ProblemException.of('unauthenticated', 'Send a valid API key or staff token as Authorization: Bearer <credential>.').problem, { 'WWW-Authenticate': WWW_AUTHENTICATE });
}

type Refusal = Omit<AccessDeniedFacts, 'method' | 'path' | 'sourceAddress'>;
const NOBODY = { credentialKind: null, keyPrefix: null, subject: null, requiredPermission: null, tenantId: null } as const;

/** Thrown inside authentication: the refusal's facts for the security event, and what the caller hears. */
class Refused extends Error {
  constructor(readonly facts: Refusal, readonly answer: ProblemException = unauthenticated()) {
    super(facts.reason);
  }
}

/**
 * Every HTTP route is closed unless it says otherwise: a route declares the one permission it
 * needs (`@RequirePermission`), that any authenticated caller may use it (`@AuthenticatedRoute`)
 * or that it is public (`@PublicRoute`); a route that declares
 * neither is refused to everyone (and the RBAC matrix test fails on it). Messages consumed from
 * Kafka are not requests: the guard lets them through to the inbox. Every 401 and 403 is an
 * AccessDenied security event (bounded, decision 0024).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger: Logger;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ApiKeyAuthenticator) private readonly apiKeys: ApiKeyAuthenticator,
    @Inject(StaffTokenVerifier) private readonly staffTokens: StaffTokenVerifier,
    @Inject(SecurityEvents) private readonly securityEvents: SecurityEvents,
    @Inject(KeyRateLimiter) private readonly rateLimiter: KeyRateLimiter,
    @Inject(SERVICE_DEPENDENCIES) dependencies: ServiceDependencies,
  ) {
    this.logger = dependencies.logger;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) === true) return true;
    const required = this.reflector.getAllAndOverride<Permission | undefined>(REQUIRED_PERMISSION, targets);
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const authenticatedOnly = required === undefined && this.reflector.getAllAndOverride<boolean>(AUTHENTICATED_ROUTE, targets) === true;
    if (required === undefined && !authenticatedOnly) {
      this.logger.error({ method: request.method, route: (request.route as { path?: string } | undefined)?.path }, 'a route declares no permission: refused to everyone');
      throw ProblemException.of('forbidden', 'This operation is not available.');
    }
    try {
      const principal = await this.authenticate(request);
      request.principal = principal;
      // Counted before the permission check: a key hammering routes it may not use is limited too.
      await this.rateLimiter.take(principal, new Date());
      if (required !== undefined && !principal.permissions.has(required)) {
        const facts = { ...NOBODY, ...this.credentialOf(principal), tenantId: principal.tenantId, requiredPermission: required, status: 403, reason: 'missing_permission' };
        throw new Refused(facts, ProblemException.of('forbidden', `This credential may not do this; it needs the permission "${required}".`, { requiredPermission: required }));
      }
      return true;
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      this.logger.info({ reason: error.facts.reason, status: error.facts.status, keyPrefix: error.facts.keyPrefix, subject: error.facts.subject, source: request.socket.remoteAddress }, 'request refused');
      await this.securityEvents.accessDenied({ ...error.facts, method: request.method, path: request.path, sourceAddress: request.socket.remoteAddress ?? 'unknown' }, new Date());
      throw error.answer;
    }
  }

  private credentialOf(principal: Principal): Pick<Refusal, 'credentialKind' | 'keyPrefix' | 'subject'> {
    return principal.kind === 'staff' ? { credentialKind: 'staff', keyPrefix: null, subject: principal.id } : { credentialKind: 'api_key', keyPrefix: null, subject: null };
  }

  private async authenticate(request: Request): Promise<Principal> {
    const header = request.headers.authorization;
    if (header === undefined) throw new Refused({ ...NOBODY, status: 401, reason: 'missing_credential' });
    const match = /^Bearer ([\x21-\x7e]{1,4096})$/.exec(header);
    if (match === null) throw new Refused({ ...NOBODY, status: 401, reason: 'malformed' });
    const credential = match[1] ?? '';
    if (credential.startsWith('txn_sk_')) {
      const result = await this.apiKeys.authenticate(credential, new Date());
      if ('principal' in result) return result.principal;
      throw new Refused({ ...NOBODY, credentialKind: 'api_key', keyPrefix: parseApiKey(credential)?.prefix ?? null, tenantId: result.tenantId ?? null, status: 401, reason: result.refused });
    }
    return this.authenticateStaff(request, credential);
  }

  private async authenticateStaff(request: Request, token: string): Promise<Principal> {
    const now = new Date();
    const verified = await this.staffTokens.verify(token, now);
    if ('refused' in verified) throw new Refused({ ...NOBODY, credentialKind: verified.subject === undefined ? null : 'staff', subject: verified.subject ?? null, status: 401, reason: verified.refused });
    const actingFor = request.headers[ACTING_FOR_HEADER];
    if (actingFor !== undefined && (typeof actingFor !== 'string' || !MERCHANT_ID.test(actingFor))) {
      throw ProblemException.of('validation-failed', 'Txn-Merchant must be a merchant id.', { errors: [{ pointer: '/headers/txn-merchant', detail: 'not a merchant id' }] });
    }
    const principal = staffPrincipal(verified.claims, actingFor);
    const staff = { ...NOBODY, credentialKind: 'staff', subject: verified.claims.subject };
    if (principal === 'not_platform_admin') throw new Refused({ ...staff, status: 403, reason: principal }, ProblemException.of('forbidden', 'Only a platform-admin may act for another merchant (Txn-Merchant).'));
    const { jti, iat, exp } = decodeJwt(token);
    await this.securityEvents.staffAuthenticated(
      {
        token,
        subject: verified.claims.subject,
        roles: verified.claims.roles,
        merchant: verified.claims.merchant ?? null,
        actingFor: principal.tenantId,
        tokenId: typeof jti === 'string' ? jti : null,
        issuedAt: new Date((iat ?? 0) * 1000),
        expiresAt: new Date((exp ?? 0) * 1000),
        sourceAddress: request.socket.remoteAddress ?? 'unknown',
      },
      principal.actor,
      now,
    );
    return principal;
  }
}
