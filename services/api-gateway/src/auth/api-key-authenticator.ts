import { Inject, Injectable } from '@nestjs/common';
import { TenantTransactions } from '../persistence/tenant-transactions';
import { ApiKeyEntity } from './api-key.entity';
import { parseApiKey, presentedKeyDigest, verifyApiKeySecret } from './api-key-secret';
import { grantedPermissions } from './permissions';
import type { Principal } from './principal';

/** Why a presented key was not accepted (for the security event; the caller only hears 401). */
export type ApiKeyRefusal = 'malformed' | 'unknown' | 'wrong_secret' | 'revoked' | 'expired';
export type ApiKeyAuthentication = { readonly principal: Principal } | { readonly refused: ApiKeyRefusal; readonly keyId?: string; readonly tenantId?: string };

/** Verified keys remembered (by digest) so scrypt is paid once per key per window, not per request. */
const VERIFIED_CACHE_MAX = 10_000;
const VERIFIED_CACHE_TTL_MS = 5 * 60_000;
/** last_used_at is written at most this often per key: a read path should not write on every request. */
const LAST_USED_GRANULARITY_MS = 60_000;

@Injectable()
export class ApiKeyAuthenticator {
  private readonly verified = new Map<string, { readonly secretHash: string; readonly until: number }>();

  constructor(@Inject(TenantTransactions) private readonly transactions: TenantTransactions) {}

  /**
   * The key's row is read on every request (revocation and expiry take effect at once, on every
   * instance); only the scrypt verification is remembered. The lookup by prefix runs before any
   * tenant is known, so it is scoped to the platform, and reads one row by its unique prefix.
   */
  async authenticate(presented: string, now: Date): Promise<ApiKeyAuthentication> {
    const parts = parseApiKey(presented);
    if (parts === null) return { refused: 'malformed' };
    const key = await this.transactions.run({ kind: 'platform' }, (manager) => manager.findOne(ApiKeyEntity, { where: { prefix: parts.prefix } }));
    if (key === null) return { refused: 'unknown' };
    const about = { keyId: key.id, tenantId: key.merchantId };
    if (!(await this.secretMatches(presented, parts.secret, key.secretHash, now))) return { refused: 'wrong_secret', ...about };
    if (key.revokedAt !== null && key.revokedAt <= now) return { refused: 'revoked', ...about };
    if (key.expiresAt !== null && key.expiresAt <= now) return { refused: 'expired', ...about };
    await this.touch(key, now);
    return {
      principal: {
        kind: 'api_key',
        id: key.id,
        tenantId: key.merchantId,
        roles: [key.role],
        permissions: grantedPermissions([key.role], key.scopes.length === 0 ? undefined : key.scopes),
        actor: { type: 'API_KEY', id: key.id },
      },
    };
  }

  private async secretMatches(presented: string, secret: string, secretHash: string, now: Date): Promise<boolean> {
    const digest = presentedKeyDigest(presented);
    const remembered = this.verified.get(digest);
    if (remembered !== undefined && remembered.secretHash === secretHash && remembered.until > now.getTime()) return true;
    if (!(await verifyApiKeySecret(secret, secretHash))) return false;
    if (this.verified.size >= VERIFIED_CACHE_MAX) this.verified.delete(this.verified.keys().next().value ?? '');
    this.verified.set(digest, { secretHash, until: now.getTime() + VERIFIED_CACHE_TTL_MS });
    return true;
  }

  private async touch(key: ApiKeyEntity, now: Date): Promise<void> {
    if (key.lastUsedAt !== null && now.getTime() - key.lastUsedAt.getTime() < LAST_USED_GRANULARITY_MS) return;
    await this.transactions.run({ kind: 'tenant', tenantId: key.merchantId }, (manager) =>
      manager.query('UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)', [key.id, now]),
    );
  }
}
