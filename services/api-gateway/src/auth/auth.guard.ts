import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Logger } from 'pino';
import { SERVICE_DEPENDENCIES, type ServiceDependencies } from '@txn/service-kit';
import { ProblemException } from '../http/problem';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import type { Permission } from './permissions';
import { AUTHENTICATED_ROUTE, PUBLIC_ROUTE, REQUIRED_PERMISSION, type Principal } from './principal';

export const WWW_AUTHENTICATE = 'Bearer realm="txn"';

/** A 401 says only that credentials are missing or not accepted: never which part was wrong. */
export function unauthenticated(): ProblemException {
  return new ProblemException(ProblemException.of('unauthenticated', 'Send a valid API key or staff token as Authorization: Bearer <credential>.').problem, { 'WWW-Authenticate': WWW_AUTHENTICATE });
}

/**
 * Every HTTP route is closed unless it says otherwise: a route declares the one permission it
 * needs (`@RequirePermission`), that any authenticated caller may use it (`@AuthenticatedRoute`)
 * or that it is public (`@PublicRoute`); a route that declares
 * neither is refused to everyone (and the RBAC matrix test fails on it). Messages consumed from
 * Kafka are not requests: the guard lets them through to the inbox.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger: Logger;

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ApiKeyAuthenticator) private readonly apiKeys: ApiKeyAuthenticator,
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
    if (required === undefined && this.reflector.getAllAndOverride<boolean>(AUTHENTICATED_ROUTE, targets) === true) {
      request.principal = await this.authenticate(request);
      return true;
    }
    if (required === undefined) {
      this.logger.error({ method: request.method, route: (request.route as { path?: string } | undefined)?.path }, 'a route declares no permission: refused to everyone');
      throw ProblemException.of('forbidden', 'This operation is not available.');
    }
    const principal = await this.authenticate(request);
    request.principal = principal;
    if (!principal.permissions.has(required)) throw ProblemException.of('forbidden', `This credential may not do this; it needs the permission "${required}".`, { requiredPermission: required });
    return true;
  }

  private async authenticate(request: Request): Promise<Principal> {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer ([\x21-\x7e]{1,4096})$/.exec(header);
    if (match === null) throw unauthenticated();
    const credential = match[1] ?? '';
    if (credential.startsWith('txn_sk_')) {
      const result = await this.apiKeys.authenticate(credential, new Date());
      if ('principal' in result) return result.principal;
      this.logger.info({ reason: result.refused, keyId: result.keyId, source: request.socket.remoteAddress }, 'API key refused');
      throw unauthenticated();
    }
    throw unauthenticated();
  }
}
