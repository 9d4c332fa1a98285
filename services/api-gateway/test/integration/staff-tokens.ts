import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import type { StaffTokenSettings } from '../../src/auth/staff-token';

// Staff tokens for the integration suites: a key pair made per suite, its public half given to the
// gateway as settings (as GATEWAY_STAFF_JWKS would), tokens signed like ./platform token signs them.

export const TEST_STAFF_ISSUER = 'txn-test-staff';
export const TEST_STAFF_AUDIENCE = 'txn-api-gateway';

export interface StaffTokenMinter {
  readonly settings: StaffTokenSettings;
  mint(claims: { sub: string; roles: string[]; merchant?: string }, options?: { ttl_s?: number; issuedAgo_s?: number; audience?: string; key?: CryptoKey }): Promise<string>;
}

export async function staffTokenMinter(): Promise<StaffTokenMinter> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const settings: StaffTokenSettings = { jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'test-1', alg: 'EdDSA', use: 'sig' }] }, issuer: TEST_STAFF_ISSUER, audience: TEST_STAFF_AUDIENCE, maxLifetime_s: 3_600 };
  return {
    settings,
    mint: (claims, options = {}) => {
      const iat = Math.floor(Date.now() / 1000) - (options.issuedAgo_s ?? 0);
      return new SignJWT({ roles: claims.roles, ...(claims.merchant === undefined ? {} : { merchant: claims.merchant }) })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'test-1' })
        .setIssuer(TEST_STAFF_ISSUER)
        .setAudience(options.audience ?? TEST_STAFF_AUDIENCE)
        .setSubject(claims.sub)
        .setIssuedAt(iat)
        .setExpirationTime(iat + (options.ttl_s ?? 600))
        .sign(options.key ?? privateKey);
    },
  };
}
