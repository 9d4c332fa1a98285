import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Stripe's webhook signature scheme under our own header name, so a merchant can verify our
 * webhooks with code (or a library) they already trust for Stripe's:
 * `Txn-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>[,v1=…]`.
 */
export const SIGNATURE_HEADER = 'Txn-Signature';
export const SIGNATURE_SCHEME = 'v1';

/** During a rotation the current and the previous secret both sign; more than that is a bug. */
export const MAX_SIGNING_SECRETS = 2;
/** A header longer than this is not ours: refused before any parsing or hashing. */
export const MAX_SIGNATURE_HEADER_LENGTH = 4_096;
/** Twelve digits of unix seconds reach the year 33658; more is not a timestamp. */
const TIMESTAMP = /^\d{1,12}$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

export type SignatureRefusal = 'malformed' | 'no-matching-signature' | 'timestamp-outside-tolerance';

export type SignatureVerdict = { readonly ok: true; readonly timestamp: number } | { readonly ok: false; readonly reason: SignatureRefusal };

export interface VerifyOptions {
  /** How far the header's timestamp may be from `nowSeconds`, either way: older is a replay, newer a wrong clock. */
  readonly toleranceSeconds: number;
  readonly nowSeconds: number;
}

function hmac(secret: string, timestampSeconds: number, rawBody: string | Buffer): Buffer {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.`, 'utf8');
  // A string body is hashed as its UTF-8 bytes, which is what goes on the wire.
  return (typeof rawBody === 'string' ? mac.update(rawBody, 'utf8') : mac.update(rawBody)).digest();
}

function assertUnixSeconds(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} ${value} is not a non-negative integer of unix seconds`);
}

/**
 * The header for one delivery: one `v1=` per secret, the current secret first. The timestamp is
 * the time of this attempt (passed in): a retry is signed anew, so it is never outside the
 * receiver's tolerance however late it comes.
 */
export function signatureHeader(secrets: readonly string[], timestampSeconds: number, rawBody: string | Buffer): string {
  if (secrets.length === 0 || secrets.length > MAX_SIGNING_SECRETS) throw new RangeError(`a webhook is signed by 1..${MAX_SIGNING_SECRETS} secrets, not ${secrets.length}`);
  if (secrets.some((secret) => secret.length === 0)) throw new RangeError('a webhook signing secret is empty');
  assertUnixSeconds('signature timestamp', timestampSeconds);
  const signatures = secrets.map((secret) => `${SIGNATURE_SCHEME}=${hmac(secret, timestampSeconds, rawBody).toString('hex')}`);
  return [`t=${timestampSeconds}`, ...signatures].join(',');
}

interface ParsedHeader {
  readonly timestamp: number;
  readonly signatures: readonly string[];
}

/**
 * `t=…` exactly once and at least one `v1=…`; other schemes (a future `v2`) are ignored, as
 * Stripe's verifier ignores them. A `v1` that is not 64 hex digits is kept: it just never matches.
 */
function parseHeader(header: string): ParsedHeader | undefined {
  if (header.length === 0 || header.length > MAX_SIGNATURE_HEADER_LENGTH) return undefined;
  const timestamps: string[] = [];
  const signatures: string[] = [];
  for (const item of header.split(',')) {
    const separator = item.indexOf('=');
    if (separator <= 0) return undefined;
    const [key, value] = [item.slice(0, separator).trim(), item.slice(separator + 1).trim()];
    if (key === 't') timestamps.push(value);
    if (key === SIGNATURE_SCHEME) signatures.push(value);
  }
  const [timestamp] = timestamps;
  if (timestamps.length !== 1 || timestamp === undefined || !TIMESTAMP.test(timestamp) || signatures.length === 0) return undefined;
  return { timestamp: Number(timestamp), signatures };
}

/**
 * What a merchant's endpoint does with our header (and what our tests do): any `v1` may match, so
 * a receiver holding either secret of a rotation accepts. Compared in constant time, so the time
 * a refusal takes says nothing about how much of a forged signature was right. The signature is
 * checked before the timestamp: a forgery is `no-matching-signature` whatever its time, and
 * `timestamp-outside-tolerance` means an authentic header that is too old (a replay) or too new.
 */
export function verifySignatureHeader(header: string, rawBody: string | Buffer, secret: string, options: VerifyOptions): SignatureVerdict {
  if (!Number.isSafeInteger(options.toleranceSeconds) || options.toleranceSeconds <= 0) throw new RangeError(`tolerance ${options.toleranceSeconds} s is not a positive integer`);
  assertUnixSeconds('now', options.nowSeconds);
  if (secret.length === 0) throw new RangeError('a webhook signing secret is empty');
  const parsed = parseHeader(header);
  if (parsed === undefined) return { ok: false, reason: 'malformed' };
  const expected = hmac(secret, parsed.timestamp, rawBody);
  // No early exit: every candidate is compared, so the position of the matching one does not show either.
  let matched = false;
  for (const signature of parsed.signatures) {
    if (HEX_SHA256.test(signature) && timingSafeEqual(Buffer.from(signature, 'hex'), expected)) matched = true;
  }
  if (!matched) return { ok: false, reason: 'no-matching-signature' };
  if (Math.abs(options.nowSeconds - parsed.timestamp) > options.toleranceSeconds) return { ok: false, reason: 'timestamp-outside-tolerance' };
  return { ok: true, timestamp: parsed.timestamp };
}
