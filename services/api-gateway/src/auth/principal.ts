import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Actor } from '@txn/contracts';
import type { Permission, Role } from './permissions';

/** Who is calling, as the guard authenticated them; every request past the guard has one. */
export interface Principal {
  readonly kind: 'api_key' | 'staff';
  /** The API key's id, or the staff user's subject. */
  readonly id: string;
  /** The merchant the caller acts for; null for platform staff not acting for a merchant. */
  readonly tenantId: string | null;
  readonly roles: readonly Role[];
  readonly permissions: ReadonlySet<Permission>;
  /** The envelope's actor for the commands and events this request causes. */
  readonly actor: Actor;
}

/** Who did it, as rows and events record it: `staff:<subject>` or `api_key:<id>`. */
export function principalLabel(principal: Principal): string {
  return principal.kind === 'staff' ? `staff:${principal.id}` : `api_key:${principal.id}`;
}

export const REQUIRED_PERMISSION = 'txn:required-permission';
export const PUBLIC_ROUTE = 'txn:public-route';
export const AUTHENTICATED_ROUTE = 'txn:authenticated-route';

/** The permission a route needs; the guard refuses (403, or 401 without credentials) otherwise. */
export const RequirePermission = (permission: Permission): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_PERMISSION, permission);

/** A route anyone may call (problem types, the OpenAPI document). Every other route needs a permission. */
export const PublicRoute = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);

/** A route any authenticated caller may use, whatever its roles (`GET /v1/me`). */
export const AuthenticatedRoute = (): MethodDecorator & ClassDecorator => SetMetadata(AUTHENTICATED_ROUTE, true);

/** The request's principal, set by the guard. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<{ principal?: Principal }>().principal;
  if (principal === undefined) throw new Error('CurrentPrincipal on a route the guard did not authenticate');
  return principal;
});

