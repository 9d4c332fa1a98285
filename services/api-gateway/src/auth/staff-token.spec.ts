import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { parseStaffJwks } from './staff-token-settings';
import { readStaffClaims, staffPrincipal, StaffTokenVerifier, type StaffTokenSettings } from './staff-token';

const ISSUER = 'txn-test-staff';
const AUDIENCE = 'txn-api-gateway';
const NOW = new Date('2030-01-01T10:00:00Z');
const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);

describe('staff tokens', () => {
  let privateKey: CryptoKey;
  let publicJwk: JWK;
  let settings: StaffTokenSettings;

  beforeAll(async () => {
    const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    privateKey = pair.privateKey;
    publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'EdDSA' };
    settings = { jwks: { keys: [publicJwk] }, issuer: ISSUER, audience: AUDIENCE, maxLifetime_s: 3_600 };
  });

  function token(claims: Record<string, unknown>, options: { iat?: Date; ttl_s?: number; issuer?: string; audience?: string; key?: CryptoKey } = {}): Promise<string> {
    const iat = seconds(options.iat ?? NOW);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + (options.ttl_s ?? 600))
      .sign(options.key ?? privateKey);
  }

  it('accepts a token of the configured issuer and audience, signed by a configured key, and reads its claims', async () => {
    const verifier = new StaffTokenVerifier(settings);
    expect(await verifier.verify(await token({ sub: 'alice', roles: ['platform-admin'] }), NOW)).toEqual({ claims: { subject: 'alice', roles: ['platform-admin'] } });
    expect(await verifier.verify(await token({ sub: 'bob', roles: ['support', 'finance'], merchant: 'm-1' }), NOW)).toEqual({ claims: { subject: 'bob', roles: ['support', 'finance'], merchant: 'm-1' } });
  });

  it('refuses another issuer or audience, an expired token, one that lives too long, another key, and when nothing is configured', async () => {
    const verifier = new StaffTokenVerifier(settings);
    const claims = { sub: 'alice', roles: ['platform-admin'] };
    expect(await verifier.verify(await token(claims, { issuer: 'someone-else' }), NOW)).toEqual({ refused: 'bad_claims', subject: 'alice' });
    expect(await verifier.verify(await token(claims, { audience: 'another-api' }), NOW)).toEqual({ refused: 'bad_claims', subject: 'alice' });
    expect(await verifier.verify(await token(claims, { iat: new Date(NOW.getTime() - 700_000) }), NOW)).toEqual({ refused: 'expired', subject: 'alice' });
    expect(await verifier.verify(await token(claims, { ttl_s: 7_200 }), NOW)).toEqual({ refused: 'too_long_lived', subject: 'alice' });
    const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    expect(await verifier.verify(await token(claims, { key: stranger.privateKey }), NOW)).toEqual({ refused: 'bad_signature', subject: 'alice' });
    expect(await verifier.verify('not.a.jwt', NOW)).toEqual({ refused: 'malformed', subject: undefined });
    expect(await new StaffTokenVerifier(undefined).verify(await token(claims), NOW)).toEqual({ refused: 'not_configured', subject: 'alice' });
  });

  it('refuses an algorithm other than the pinned one (an unsigned token)', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: 'alice', roles: ['platform-admin'], iss: ISSUER, aud: AUDIENCE, iat: seconds(NOW), exp: seconds(NOW) + 60 })).toString('base64url');
    expect(await new StaffTokenVerifier(settings).verify(`${header}.${body}.`, NOW)).toMatchObject({ refused: expect.stringMatching(/bad_signature|malformed/) });
  });

  it('accepts only roles it knows, platform-admin never tied to a merchant, a merchant user always tied to one', () => {
    expect(readStaffClaims({ sub: 'a', roles: ['root'] })).toBeNull();
    expect(readStaffClaims({ sub: 'a', roles: [] })).toBeNull();
    expect(readStaffClaims({ sub: 'a', roles: ['platform-admin'], merchant: 'm-1' })).toBeNull();
    expect(readStaffClaims({ sub: 'a', roles: ['support'] })).toBeNull();
    expect(readStaffClaims({ sub: 'a', roles: ['owner'], merchant: 'Not A Merchant' })).toBeNull();
    expect(readStaffClaims({ sub: 'a', roles: ['owner', 'owner'], merchant: 'm-1' })).toEqual({ subject: 'a', roles: ['owner'], merchant: 'm-1' });
  });

  it('lets a platform-admin act for a merchant it names, a merchant user only for its own; the actor is SERVICE staff:<sub>', () => {
    const admin = staffPrincipal({ subject: 'alice', roles: ['platform-admin'] }, undefined);
    expect(admin).toMatchObject({ kind: 'staff', id: 'alice', tenantId: null, actor: { type: 'SERVICE', id: 'staff:alice' } });
    expect(staffPrincipal({ subject: 'alice', roles: ['platform-admin'] }, 'm-2')).toMatchObject({ tenantId: 'm-2' });
    expect(staffPrincipal({ subject: 'bob', roles: ['owner'], merchant: 'm-1' }, 'm-1')).toMatchObject({ tenantId: 'm-1' });
    expect(staffPrincipal({ subject: 'bob', roles: ['owner'], merchant: 'm-1' }, 'm-2')).toBe('not_platform_admin');
  });

  it('takes a JWKS of public Ed25519 keys only', () => {
    expect(parseStaffJwks(JSON.stringify({ keys: [publicJwk] }))).toEqual({ keys: [publicJwk] });
    expect(parseStaffJwks('{')).toBe('is not JSON');
    expect(parseStaffJwks('{"keys":[]}')).toMatch(/not a JWKS/);
    expect(parseStaffJwks(JSON.stringify({ keys: [{ ...publicJwk, d: 'secret' }] }))).toMatch(/private key/);
    expect(parseStaffJwks(JSON.stringify({ keys: [{ kty: 'oct', k: 'abc' }] }))).toMatch(/not Ed25519/);
  });
});
