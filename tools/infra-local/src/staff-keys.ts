import { createHash, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { secretFile } from './secrets';

/**
 * The local staff-token signing key (decision 0024): an Ed25519 key pair generated into the state
 * folder's secrets on the first `up` of the api-gateway, never in the repository. The private JWK
 * (0600) is read by `./platform token` only; the gateway gets the public JWKS file through
 * GATEWAY_STAFF_JWKS_FILE. The issuer and audience below are the local platform's; production sets
 * its own with its own keys.
 */
export const LOCAL_STAFF_TOKEN_ISSUER = 'txn-local-staff';
export const STAFF_TOKEN_AUDIENCE = 'txn-api-gateway';
export const STAFF_TOKEN_ALGORITHM = 'EdDSA';

export interface StaffKeyFiles {
  /** The private JWK (with `kid` and `alg`): signs tokens. */
  readonly privateJwkFile: string;
  /** `{ keys: [public JWK] }`: what the gateway verifies with. */
  readonly jwksFile: string;
}

export function staffKeyFiles(stateDir: string): StaffKeyFiles {
  return { privateJwkFile: secretFile(stateDir, 'staff-token-signing-jwk'), jwksFile: join(stateDir, 'secrets', 'staff-token-jwks.json') };
}

/** The key id: a digest of the public key, so a rotated key never reuses an id. */
function keyId(x: string): string {
  return createHash('sha256').update(x).digest('base64url').slice(0, 16);
}

/** Writes via a temporary file and a rename, so a reader never sees half a key. */
function writeAtomically(path: string, content: string, mode: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode });
  renameSync(temporary, path);
}

/** The files of the key pair, generated the first time (both files, the private one first). */
export function ensureStaffSigningKeys(stateDir: string): StaffKeyFiles {
  const files = staffKeyFiles(stateDir);
  if (existsSync(files.privateJwkFile) && existsSync(files.jwksFile)) return files;
  mkdirSync(dirname(files.privateJwkFile), { recursive: true, mode: 0o700 });
  chmodSync(dirname(files.privateJwkFile), 0o700);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicJwk = publicKey.export({ format: 'jwk' });
  const kid = keyId(publicJwk.x ?? '');
  const common = { kid, alg: STAFF_TOKEN_ALGORITHM, use: 'sig' };
  writeAtomically(files.privateJwkFile, JSON.stringify({ ...privateKey.export({ format: 'jwk' }), ...common }), 0o600);
  writeAtomically(files.jwksFile, JSON.stringify({ keys: [{ ...publicJwk, ...common }] }), 0o644);
  return files;
}

/** The private signing JWK, or an error saying how to create it. */
export function readStaffSigningJwk(stateDir: string): Record<string, string> {
  const { privateJwkFile } = staffKeyFiles(stateDir);
  if (!existsSync(privateJwkFile)) throw new Error(`no staff signing key at ${privateJwkFile}: run ./platform up api-gateway first (it generates the key)`);
  return JSON.parse(readFileSync(privateJwkFile, 'utf8')) as Record<string, string>;
}
