import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * An API key is `txn_sk_<prefix>_<secret>`: the prefix (12 characters, shown in lists and logs)
 * finds the key's row; the secret (32 random bytes, base64url) is shown once at creation and only
 * its scrypt hash is stored.
 *
 * scrypt parameters: N = 2^15, r = 8, p = 1 (32 MiB, ~60 ms on this machine's cores), 16-byte salt,
 * 32-byte output; stored with the hash (`scrypt$N$r$p$salt$hash`) so they can be raised later and
 * old keys still verify. A verification that succeeded is remembered by the SHA-256 of the
 * presented key (never the key itself) for a few minutes, so the hash is not paid per request;
 * revocation and expiry are still read from the database on every request.
 */
export const API_KEY_PATTERN = /^txn_sk_([a-z2-7]{12})_([A-Za-z0-9_-]{43})$/;
const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keylen: 32, saltBytes: 16, maxmem: 64 * 1024 * 1024 } as const;

export interface IssuedApiKey {
  /** The whole key: give it to the caller once, never store it. */
  readonly key: string;
  readonly prefix: string;
  /** What to store. */
  readonly secretHash: string;
}

function scrypt(secret: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCallback(secret, salt, keylen, options, (error, derived) => (error === null ? resolve(derived) : reject(error))));
}

function randomPrefix(): string {
  return Array.from(randomBytes(12), (byte) => PREFIX_ALPHABET[byte % 32]).join('');
}

export async function issueApiKey(): Promise<IssuedApiKey> {
  const prefix = randomPrefix();
  const secret = randomBytes(32).toString('base64url');
  const salt = randomBytes(SCRYPT.saltBytes);
  const hash = await scrypt(secret, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: SCRYPT.maxmem });
  return { key: `txn_sk_${prefix}_${secret}`, prefix, secretHash: `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${hash.toString('base64url')}` };
}

/** The parts of a presented key, or null when it is not shaped like one of ours. */
export function parseApiKey(presented: string): { prefix: string; secret: string } | null {
  const match = API_KEY_PATTERN.exec(presented);
  return match === null ? null : { prefix: match[1] ?? '', secret: match[2] ?? '' };
}

/** Whether the secret matches the stored hash, in constant time; a malformed stored hash never matches. */
export async function verifyApiKeySecret(secret: string, stored: string): Promise<boolean> {
  const [algorithm, n, r, p, salt, hash] = stored.split('$');
  if (algorithm !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  const derived = await scrypt(secret, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return derived.length === expected.length && timingSafeEqual(derived, expected);
}

/** What the verification cache is keyed by: a digest of the presented key, never the key. */
export function presentedKeyDigest(presented: string): string {
  return createHash('sha256').update(presented).digest('base64url');
}
