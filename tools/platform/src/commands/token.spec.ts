import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { ensureStaffSigningKeys, LOCAL_STAFF_TOKEN_ISSUER, STAFF_TOKEN_AUDIENCE } from '@txn/infra-local';
import { parseTokenArgs, runTokenCommand } from './token';

describe('./platform token', () => {
  let stateDir: string;
  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'platform-token-'));
  });
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  it('reads roles, merchant, subject and lifetime, and refuses what the gateway would refuse', () => {
    expect(parseTokenArgs(['--role', 'platform-admin'])).toEqual({ roles: ['platform-admin'], subject: 'local-staff', ttl_s: 900 });
    expect(parseTokenArgs(['--role', 'owner', '--role', 'finance', '--merchant', 'm-1', '--sub', 'bob', '--ttl', '3600'])).toEqual({ roles: ['owner', 'finance'], merchant: 'm-1', subject: 'bob', ttl_s: 3600 });
    expect(parseTokenArgs([])).toMatch(/at least one --role/);
    expect(parseTokenArgs(['--role', 'root'])).toMatch(/unknown role/);
    expect(parseTokenArgs(['--role', 'platform-admin', '--merchant', 'm-1'])).toMatch(/no --merchant/);
    expect(parseTokenArgs(['--role', 'owner'])).toMatch(/needs --merchant/);
    expect(parseTokenArgs(['--role', 'platform-admin', '--ttl', '86400'])).toMatch(/bad argument --ttl/);
    expect(parseTokenArgs(['--role'])).toMatch(/needs a value/);
  });

  it('prints a token that verifies against the public JWKS the gateway is given, with the claims asked for', async () => {
    const files = ensureStaffSigningKeys(stateDir);
    expect(statSync(files.privateJwkFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(files.jwksFile, 'utf8')).not.toContain('"d"');
    const printed: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => printed.push(String(chunk)) > 0);
    try {
      expect(await runTokenCommand(['--role', 'platform-admin', '--sub', 'alice', '--ttl', '600'], { stateDir })).toBe(0);
    } finally {
      stdout.mockRestore();
    }
    const jwks = JSON.parse(readFileSync(files.jwksFile, 'utf8')) as Parameters<typeof createLocalJWKSet>[0];
    const { payload, protectedHeader } = await jwtVerify(printed.join('').trim(), createLocalJWKSet(jwks), { issuer: LOCAL_STAFF_TOKEN_ISSUER, audience: STAFF_TOKEN_AUDIENCE, algorithms: ['EdDSA'] });
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(payload).toMatchObject({ sub: 'alice', roles: ['platform-admin'] });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600);
    // The same key on every later `up`.
    expect(ensureStaffSigningKeys(stateDir)).toEqual(files);
    expect(JSON.parse(readFileSync(files.jwksFile, 'utf8'))).toEqual(jwks);
  });

  it('says to run up first when there is no signing key, and exits 2 with the usage on bad arguments', async () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runTokenCommand(['--role', 'platform-admin'], { stateDir })).toBe(1);
      expect(String(stderr.mock.calls.at(-1)?.[0])).toContain('./platform up api-gateway');
      expect(await runTokenCommand(['--role', 'nobody'], { stateDir })).toBe(2);
      expect(String(stderr.mock.calls.at(-1)?.[0])).toContain('usage: ./platform token');
    } finally {
      stderr.mockRestore();
    }
  });
});
