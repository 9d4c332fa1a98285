/** What the audit chain stores and hashes: JSON only, so that its canonical encoding (RFC 8785) is defined. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

/** What stands for a personal-data field in an audit record (the contracts' x-sensitive fields). */
export const WITHHELD = '[personal data withheld]';

/**
 * A decoded event's value as JSON: bigint (money, versions) as its decimal string — never a
 * float —, Date as ISO 8601 in UTC, bytes as base64; undefined members dropped. The dotted paths
 * in `sensitive` are replaced by WITHHELD when they carry a value.
 */
export function toJsonValue(value: unknown, sensitive: ReadonlySet<string> = new Set(), path = ''): JsonValue {
  if (path !== '' && sensitive.has(path) && value !== null && value !== undefined) return WITHHELD;
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${path || '(root)'}: a non-finite number has no JSON form`);
    return value;
  }
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map((item, index) => toJsonValue(item, sensitive, `${path}[${index}]`));
  if (typeof value === 'object') {
    const result: Record<string, JsonValue> = {};
    for (const [key, member] of Object.entries(value)) {
      if (member === undefined) continue;
      result[key] = toJsonValue(member, sensitive, path === '' ? key : `${path}.${key}`);
    }
    return result;
  }
  throw new Error(`${path || '(root)'}: a ${typeof value} has no JSON form`);
}
