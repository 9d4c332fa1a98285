import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AES-256-GCM throughout: 32-byte keys, 12-byte nonces, 16-byte tags. */
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * The master keys a service unwraps data keys with: the first wraps new keys, every one
 * unwraps (a rotation adds a key at the top and keeps the old ones until `rewrap` has run).
 */
export interface MasterKeyring {
  readonly current: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

/** A data key as stored and as carried on the key topic: wrapped, with the master key that wrapped it. */
export interface WrappedKey {
  readonly masterKeyId: string;
  /** base64url of nonce ‖ ciphertext ‖ tag. */
  readonly wrapped: string;
}

/**
 * A keyring file: one `<key id>:<base64 of 32 bytes>` per line, the current key first; blank
 * lines and `#` comments ignored. Anything else is refused with the line number (never the key).
 */
export function parseMasterKeyring(text: string): MasterKeyring {
  const keys = new Map<string, Buffer>();
  let current: string | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const separator = line.indexOf(':');
    const id = line.slice(0, separator);
    const key = Buffer.from(line.slice(separator + 1), 'base64');
    if (separator <= 0 || !KEY_ID.test(id) || key.length !== KEY_BYTES) throw new Error(`master keyring line ${index + 1}: expected <key id>:<base64 of ${KEY_BYTES} bytes>`);
    if (keys.has(id)) throw new Error(`master keyring line ${index + 1}: key id ${id} appears twice`);
    keys.set(id, key);
    current ??= id;
  });
  if (current === undefined) throw new Error('master keyring: no key');
  return { current, keys };
}

/** A fresh keyring line (for `./platform up` and tests). */
export function newMasterKeyLine(id: string): string {
  if (!KEY_ID.test(id)) throw new Error(`master key id ${id} is not [A-Za-z0-9_-]{1,32}`);
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

function seal(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64url');
}

function open(key: Buffer, sealed: string, aad: string): Buffer {
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
}

/** A new data key for one customer. */
export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** Wraps a data key under the keyring's current master key; `aad` binds it to its customer (tenant:customer:key id). */
export function wrapDataKey(keyring: MasterKeyring, dataKey: Buffer, aad: string): WrappedKey {
  const master = keyring.keys.get(keyring.current);
  if (master === undefined) throw new Error('master keyring: the current key is missing');
  return { masterKeyId: keyring.current, wrapped: seal(master, dataKey, aad) };
}

/** The data key back; throws when the master key is not in the ring or the wrapping was altered or moved to another customer. */
export function unwrapDataKey(keyring: MasterKeyring, key: WrappedKey, aad: string): Buffer {
  const master = keyring.keys.get(key.masterKeyId);
  if (master === undefined) throw new Error(`master key ${key.masterKeyId} is not in the keyring`);
  const dataKey = open(master, key.wrapped, aad);
  if (dataKey.length !== KEY_BYTES) throw new Error('unwrapped data key has the wrong length');
  return dataKey;
}

/** Rotation: the same data key wrapped under the current master key (unchanged when it already is). */
export function rewrapDataKey(keyring: MasterKeyring, key: WrappedKey, aad: string): WrappedKey {
  if (key.masterKeyId === keyring.current) return key;
  return wrapDataKey(keyring, unwrapDataKey(keyring, key, aad), aad);
}

export const fieldCipher = { seal, open };
