import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsReader } from '@txn/service-kit';
import { readStaffTokenSettings } from './staff-token-settings';

const JWK = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', kid: 'k1', alg: 'EdDSA' };

function read(env: Record<string, string>): { settings: ReturnType<typeof readStaffTokenSettings>; problems: string[] } {
  const reader = new SettingsReader(env);
  const settings = readStaffTokenSettings(reader);
  try {
    reader.done();
    return { settings, problems: [] };
  } catch (error) {
    return { settings, problems: (error as { problems?: string[] }).problems ?? [String(error)] };
  }
}

describe('staff token settings', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'staff-jwks-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the JWKS from GATEWAY_STAFF_JWKS_FILE or inline from GATEWAY_STAFF_JWKS, with the issuer, audience and longest lifetime', () => {
    const file = join(dir, 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [JWK] }));
    expect(read({ GATEWAY_STAFF_JWKS_FILE: file, GATEWAY_STAFF_JWT_ISSUER: 'idp' })).toEqual({ settings: { jwks: { keys: [JWK] }, issuer: 'idp', audience: 'txn-api-gateway', maxLifetime_s: 3600 }, problems: [] });
    expect(read({ GATEWAY_STAFF_JWKS: JSON.stringify({ keys: [JWK] }), GATEWAY_STAFF_JWT_ISSUER: 'idp', GATEWAY_STAFF_JWT_AUDIENCE: 'gw', GATEWAY_STAFF_TOKEN_MAX_LIFETIME_SECONDS: '600' }).settings).toEqual({ jwks: { keys: [JWK] }, issuer: 'idp', audience: 'gw', maxLifetime_s: 600 });
  });

  it('leaves staff tokens off when no JWKS is set, and names every mistake otherwise', () => {
    expect(read({})).toEqual({ settings: undefined, problems: [] });
    const file = join(dir, 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [JWK] }));
    expect(read({ GATEWAY_STAFF_JWKS_FILE: file }).problems).toEqual([expect.stringMatching(/^GATEWAY_STAFF_JWT_ISSUER: missing/)]);
    expect(read({ GATEWAY_STAFF_JWKS_FILE: file, GATEWAY_STAFF_JWKS: JSON.stringify({ keys: [JWK] }), GATEWAY_STAFF_JWT_ISSUER: 'idp' }).problems).toEqual([expect.stringMatching(/set one, not both/)]);
    expect(read({ GATEWAY_STAFF_JWKS_FILE: join(dir, 'absent'), GATEWAY_STAFF_JWT_ISSUER: 'idp' }).problems).toEqual([expect.stringMatching(/^GATEWAY_STAFF_JWKS_FILE: cannot read/)]);
    expect(read({ GATEWAY_STAFF_JWKS: JSON.stringify({ keys: [{ ...JWK, d: 'private' }] }), GATEWAY_STAFF_JWT_ISSUER: 'idp' }).problems).toEqual([expect.stringMatching(/private key/)]);
    expect(read({ GATEWAY_STAFF_JWKS: JSON.stringify({ keys: [JWK] }), GATEWAY_STAFF_JWT_ISSUER: 'idp', GATEWAY_STAFF_TOKEN_MAX_LIFETIME_SECONDS: '999999' }).problems).toHaveLength(1);
  });
});
