import { readFileSync } from 'node:fs';
import type { JSONWebKeySet } from 'jose';
import type { SettingsReader } from '@txn/service-kit';
import { STAFF_TOKEN_ALGORITHMS, type StaffTokenSettings } from './staff-token';

const MAX_JWKS_BYTES = 64 * 1024;
const ISSUER = /^[\x21-\x7e]{1,200}$/;
export const DEFAULT_STAFF_TOKEN_AUDIENCE = 'txn-api-gateway';
export const DEFAULT_STAFF_TOKEN_MAX_LIFETIME_S = 3_600;

/** A JWKS of public signing keys usable with the pinned algorithm, or the reason it is not one. */
export function parseStaffJwks(text: string): JSONWebKeySet | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'is not JSON';
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) return 'is not a JWKS ({"keys": [...]}, at least one key)';
  for (const key of keys as Record<string, unknown>[]) {
    if (typeof key !== 'object' || key === null) return 'holds a key that is not an object';
    if ('d' in key) return 'holds a private key: give the gateway public keys only';
    if (key.kty !== 'OKP' || key.crv !== 'Ed25519') return `holds a key that is not Ed25519 (the pinned algorithm is ${STAFF_TOKEN_ALGORITHMS.join(', ')})`;
  }
  return { keys: keys as JSONWebKeySet['keys'] };
}

/**
 * GATEWAY_STAFF_JWKS_FILE (a file holding the JWKS) or GATEWAY_STAFF_JWKS (the JWKS inline; public
 * keys are not secrets); with either, GATEWAY_STAFF_JWT_ISSUER is required, the audience defaults
 * to txn-api-gateway and the longest lifetime to an hour. Neither: staff tokens are refused (401).
 */
export function readStaffTokenSettings(settings: SettingsReader): StaffTokenSettings | undefined {
  const file = settings.optionalText('GATEWAY_STAFF_JWKS_FILE', /^.{1,1024}$/);
  const inline = settings.optionalText('GATEWAY_STAFF_JWKS', /^\{[\s\S]*\}$/);
  const issuer = settings.optionalText('GATEWAY_STAFF_JWT_ISSUER', ISSUER);
  const audience = settings.text('GATEWAY_STAFF_JWT_AUDIENCE', { default: DEFAULT_STAFF_TOKEN_AUDIENCE, pattern: ISSUER });
  const maxLifetime_s = settings.integer('GATEWAY_STAFF_TOKEN_MAX_LIFETIME_SECONDS', { min: 60, max: 12 * 3_600, default: DEFAULT_STAFF_TOKEN_MAX_LIFETIME_S });
  if (file !== undefined && inline !== undefined) settings.problem('GATEWAY_STAFF_JWKS and GATEWAY_STAFF_JWKS_FILE: set one, not both');
  if (file === undefined && inline === undefined) return undefined;
  if (issuer === undefined) settings.problem('GATEWAY_STAFF_JWT_ISSUER: missing (required with a staff JWKS)');
  let text = inline ?? '';
  if (file !== undefined) {
    try {
      const content = readFileSync(file);
      if (content.length > MAX_JWKS_BYTES) throw new Error(`larger than ${MAX_JWKS_BYTES} bytes`);
      text = content.toString('utf8');
    } catch (error) {
      settings.problem(`GATEWAY_STAFF_JWKS_FILE: cannot read ${file} (${(error as Error).message})`);
      return undefined;
    }
  }
  const jwks = parseStaffJwks(text);
  if (typeof jwks === 'string') {
    settings.problem(`${file === undefined ? 'GATEWAY_STAFF_JWKS' : 'GATEWAY_STAFF_JWKS_FILE'}: ${jwks}`);
    return undefined;
  }
  return { jwks, issuer: issuer ?? '', audience, maxLifetime_s };
}
