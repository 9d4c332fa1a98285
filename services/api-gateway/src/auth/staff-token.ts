import { createLocalJWKSet, decodeJwt, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { grantedPermissions, isRole, type Role } from './permissions';
import type { Principal } from './principal';

/**
 * Staff bearer tokens (decision 0024): JWTs signed by the platform's identity provider (locally,
 * `./platform token`), verified against public keys given to the gateway (a JWKS from a file or
 * the environment, never from the repository). The algorithm is pinned, so a token cannot choose
 * how it is checked (no `none`, no HMAC with a public key as the secret); issuer, audience,
 * expiry and issue time are required, and a token may not live longer than `maxLifetime_s`.
 */
export const STAFF_TOKEN_ALGORITHMS = ['EdDSA'] as const;
const CLOCK_TOLERANCE_S = 30;
const SUBJECT = /^[A-Za-z0-9._@:-]{1,128}$/;
export const MERCHANT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export interface StaffTokenSettings {
  readonly jwks: JSONWebKeySet;
  readonly issuer: string;
  readonly audience: string;
  /** The longest a token may live (exp − iat), in seconds. */
  readonly maxLifetime_s: number;
}

export interface StaffClaims {
  readonly subject: string;
  readonly roles: readonly Role[];
  /** The merchant a merchant's staff user belongs to; absent for platform staff. */
  readonly merchant?: string;
}

export type StaffTokenRefusal = 'not_configured' | 'malformed' | 'bad_signature' | 'expired' | 'bad_claims' | 'too_long_lived';
export type StaffTokenVerification = { readonly claims: StaffClaims } | { readonly refused: StaffTokenRefusal; readonly subject?: string };

/** The claims we accept, or why not: roles a non-empty subset of ROLES; platform-admin never tied to a merchant. */
export function readStaffClaims(payload: JWTPayload): StaffClaims | null {
  const { sub, roles, merchant } = payload as JWTPayload & { roles?: unknown; merchant?: unknown };
  if (typeof sub !== 'string' || !SUBJECT.test(sub)) return null;
  if (!Array.isArray(roles) || roles.length === 0 || roles.length > 10 || !roles.every(isRole)) return null;
  if (merchant !== undefined && (typeof merchant !== 'string' || !MERCHANT_ID.test(merchant))) return null;
  if (merchant !== undefined && roles.includes('platform-admin')) return null;
  if (merchant === undefined && !roles.includes('platform-admin')) return null;
  return { subject: sub, roles: [...new Set(roles)], ...(merchant === undefined ? {} : { merchant }) };
}

/** The subject of a token we could not verify, for the security event only (never trusted). */
function unverifiedSubject(token: string): string | undefined {
  try {
    const sub = decodeJwt(token).sub;
    return typeof sub === 'string' && SUBJECT.test(sub) ? sub : undefined;
  } catch {
    return undefined;
  }
}

function refusalOf(error: unknown): StaffTokenRefusal {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) return 'bad_claims';
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JOSEAlgNotAllowed) return 'bad_signature';
  return 'malformed';
}

export class StaffTokenVerifier {
  private readonly keys: ReturnType<typeof createLocalJWKSet> | undefined;

  constructor(private readonly settings: StaffTokenSettings | undefined) {
    this.keys = settings === undefined ? undefined : createLocalJWKSet(settings.jwks);
  }

  async verify(token: string, now: Date): Promise<StaffTokenVerification> {
    if (this.settings === undefined || this.keys === undefined) return { refused: 'not_configured', subject: unverifiedSubject(token) };
    const { issuer, audience, maxLifetime_s } = this.settings;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        algorithms: [...STAFF_TOKEN_ALGORITHMS],
        issuer,
        audience,
        requiredClaims: ['sub', 'iat', 'exp'],
        clockTolerance: CLOCK_TOLERANCE_S,
        maxTokenAge: maxLifetime_s + CLOCK_TOLERANCE_S,
        currentDate: now,
      }));
    } catch (error) {
      return { refused: refusalOf(error), subject: unverifiedSubject(token) };
    }
    const subject = typeof payload.sub === 'string' ? payload.sub : undefined;
    if ((payload.exp ?? 0) - (payload.iat ?? 0) > maxLifetime_s) return { refused: 'too_long_lived', subject };
    const claims = readStaffClaims(payload);
    return claims === null ? { refused: 'bad_claims', subject } : { claims };
  }
}

/** Why a verified staff user may not act for the merchant it named (Txn-Merchant). */
export type ActingForRefusal = 'not_platform_admin';

/**
 * The principal of a verified staff token. A platform-admin acts for a merchant by naming it in
 * `Txn-Merchant`, otherwise for the platform (tenantId null); a merchant's staff user acts for its
 * own merchant only. The actor is SERVICE `staff:<sub>` (decision 0024: the envelope's ActorType
 * has no STAFF symbol, and USER means a customer to booking).
 */
export function staffPrincipal(claims: StaffClaims, actingFor: string | undefined): Principal | ActingForRefusal {
  let tenantId: string | null = claims.merchant ?? null;
  if (actingFor !== undefined && actingFor !== claims.merchant) {
    if (!claims.roles.includes('platform-admin')) return 'not_platform_admin';
    tenantId = actingFor;
  }
  return { kind: 'staff', id: claims.subject, tenantId, roles: claims.roles, permissions: grantedPermissions(claims.roles), actor: { type: 'SERVICE', id: `staff:${claims.subject}` } };
}
