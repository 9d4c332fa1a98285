import { createHash } from 'node:crypto';

// The pure rules of idempotency (decision 0026): what a valid key is, what makes two requests the
// same request, what to do with a key already on record, and which outcomes are kept.

/** 1–255 visible ASCII characters (no spaces, no control characters): what Stripe accepts, minus whitespace a proxy could trim. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export type KeyHeader = { readonly kind: 'absent' } | { readonly kind: 'invalid' } | { readonly kind: 'valid'; readonly key: string };

/** The `Idempotency-Key` header as Node hands it over (a repeated header arrives as one comma-joined string). */
export function readIdempotencyKey(header: string | readonly string[] | undefined): KeyHeader {
  if (header === undefined) return { kind: 'absent' };
  if (typeof header !== 'string') return { kind: 'invalid' };
  if (header.length === 0) return { kind: 'absent' };
  return IDEMPOTENCY_KEY.test(header) ? { kind: 'valid', key: header } : { kind: 'invalid' };
}

/**
 * JSON with object members sorted by name at every depth and no insignificant whitespace, so
 * that two bodies that mean the same (members reordered, spaced differently) hash the same.
 * Arrays keep their order (it means something). `undefined` (no body) is the empty string.
 */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(sortMembers(value));
}

function sortMembers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortMembers);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, member]) => member !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([name, member]) => [name, sortMembers(member)]));
}

/** What identifies a request under a key: method, path (without the query) and canonical body, hashed (SHA-256, hex). */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method.toUpperCase()}\n${path}\n${canonicalJson(body)}`).digest('hex');
}

/** A record as the decision needs it. */
export interface RecordView {
  readonly requestHash: string;
  readonly state: 'claimed' | 'executed' | 'completed';
  readonly leaseUntil: Date;
}

/**
 * What a request does with the key's record when its own claim did not insert one:
 * - `reused`: another request (method, path or body) holds the key → 422, whatever its state;
 * - `replay`: the first response is on record → answered again;
 * - `in-progress`: the first request is executing (its lease runs) → 409, never a second execution;
 * - `take-over`: claimed, never executed, lease over (its process died before any write) → execute;
 * - `outcome-lost`: executed (its writes committed) but the process died before its response was
 *   stored → never executed again; answered with a recorded 500 that says so.
 */
export type Decision = 'reused' | 'replay' | 'in-progress' | 'take-over' | 'outcome-lost';

export function decide(record: RecordView, hash: string, now: Date): Decision {
  if (record.requestHash !== hash) return 'reused';
  if (record.state === 'completed') return 'replay';
  if (record.leaseUntil.getTime() > now.getTime()) return 'in-progress';
  return record.state === 'claimed' ? 'take-over' : 'outcome-lost';
}

/**
 * Outcomes kept for replay: every response of a request that began executing, including the
 * server's own 5xx (Stripe's rule). Not kept (the claim is released; the same key may be sent
 * again, corrected): a body the validation refused (400, nothing began), 429 and 503 (refused
 * before doing anything, and meant to be retried).
 */
export function keepsOutcome(status: number): boolean {
  return status !== 400 && status !== 429 && status !== 503;
}

/** Response headers a replay repeats (the rest are per-response: date, length, request ids). */
export const REPLAYED_HEADERS = ['location', 'content-type', 'etag', 'last-event-at', 'preference-applied', 'vary', 'retry-after'] as const;
