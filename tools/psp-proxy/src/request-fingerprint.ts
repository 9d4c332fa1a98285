import { createHash } from 'node:crypto';

/**
 * What Stripe compares when an idempotency key comes back: the endpoint and the parameters.
 * Two requests with the same fingerprint are "the same request" and get the stored answer.
 */
export interface RequestFingerprint {
  readonly method: string;
  readonly path: string;
  readonly params_sha256: string;
}

const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/**
 * Parameters in a canonical order. Stripe v1 bodies are form-encoded with bracketed keys
 * (`metadata[order]=1`, `expand[]=a`): pairs are sorted by key, and pairs with the same key keep
 * their order (for `expand[]` the order is part of the request). Encodings of the same value
 * (`%20` and `+`) decode to the same pair. A body that is not a form is compared byte for byte.
 */
export function canonicalParams(query: string, contentType: string | undefined, body: Buffer): string {
  const pairs = [...new URLSearchParams(query)];
  const isForm = body.length === 0 || (contentType ?? '').toLowerCase().startsWith(FORM_CONTENT_TYPE);
  if (!isForm) return JSON.stringify({ pairs: sortPairs(pairs), raw_base64: body.toString('base64') });
  pairs.push(...new URLSearchParams(body.toString('utf8')));
  return JSON.stringify({ pairs: sortPairs(pairs) });
}

function sortPairs(pairs: readonly [string, string][]): [string, string][] {
  // Array.prototype.sort is stable: equal keys keep their relative order.
  return [...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function requestFingerprint(method: string, path: string, query: string, contentType: string | undefined, body: Buffer): RequestFingerprint {
  const params_sha256 = createHash('sha256').update(canonicalParams(query, contentType, body)).digest('hex');
  return { method: method.toUpperCase(), path, params_sha256 };
}
