import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { JsonObject } from './json-value';

/** The previous hash of a chain's first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** Version of the hashed encoding below; a change of it is a new value here, never an edit. */
export const AUDIT_HASH_FORMAT = 1;

/**
 * One state change as the audit trail keeps it: who, when, what, before and after, why. JSON
 * only (bigints as decimal strings, times as ISO 8601), so that the canonical encoding is exact.
 */
export interface AuditFacts {
  readonly eventId: string;
  /** The event type, e.g. BookingConfirmed. */
  readonly action: string;
  readonly producer: string;
  /** Where the fact was read from: the topic as consumed, its partition and offset. */
  readonly source: { readonly topic: string; readonly partition: number; readonly offset: string };
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly tenantId: string;
  readonly actor: { readonly type: string; readonly id: string };
  readonly aggregate: { readonly type: string; readonly id: string; readonly version: string };
  readonly statusBefore: string | null;
  readonly statusAfter: string | null;
  readonly reason: string | null;
  /** The event's other fields (personal data withheld). */
  readonly changes: JsonObject;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly traceId: string | null;
}

/** A record's place in its chain. `seq` counts from 1; it is an index, the links are the order. */
export interface ChainLink {
  readonly chainId: string;
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

export interface AuditRecord extends ChainLink {
  readonly facts: AuditFacts;
}

/** RFC 8785 (JSON Canonicalization Scheme): the one encoding records are hashed and published in. */
export function canonicalJson(value: unknown): string {
  const encoded = canonicalize(value);
  if (encoded === undefined) throw new Error('the value has no canonical JSON encoding');
  return encoded;
}

/**
 * SHA-256 (hex) over the RFC 8785 encoding of the chain, the previous record's hash and the facts.
 * The sequence number is not hashed: the previous hash fixes the order, and a record moved to
 * another place then fails its link, not its content — so verification can tell them apart.
 */
export function recordHash(chainId: string, prevHash: string, facts: AuditFacts): string {
  const encoded = canonicalJson({ format: AUDIT_HASH_FORMAT, chainId, prevHash, facts });
  return createHash('sha256').update(encoded, 'utf8').digest('hex');
}

/** The record that follows `head` (the chain's last record, or none for its first). */
export function appendToChain(chainId: string, head: Pick<ChainLink, 'seq' | 'hash'> | undefined, facts: AuditFacts): AuditRecord {
  const prevHash = head?.hash ?? GENESIS_HASH;
  return { chainId, seq: (head?.seq ?? 0) + 1, prevHash, hash: recordHash(chainId, prevHash, facts), facts };
}
