import { toJsonValue, type JsonObject } from './json-value';

/** Before and after as the event states them, and the fields it changed. */
export interface StateChange {
  readonly statusBefore: string | null;
  readonly statusAfter: string | null;
  readonly reason: string | null;
  /** Every field but the envelope and the three above, personal data withheld. */
  readonly changes: JsonObject;
}

const STATED = new Set(['envelope', 'statusBefore', 'statusAfter', 'reason']);

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * Reads a decoded event's state change: the platform's events carry statusBefore, statusAfter and
 * reason where the aggregate has a status (ARCHITECTURE.md, "Messages"); `implied` is the status
 * an event type stands for when it carries none (an API key created is ACTIVE).
 */
export function stateChangeOf(event: Readonly<Record<string, unknown>>, sensitiveFields: readonly string[], implied?: { readonly before: string | null; readonly after: string }): StateChange {
  const rest = Object.fromEntries(Object.entries(event).filter(([key]) => !STATED.has(key)));
  const changes = toJsonValue(rest, new Set(sensitiveFields)) as JsonObject;
  const statusAfter = textOrNull(event['statusAfter']);
  if (statusAfter === null && implied !== undefined) return { statusBefore: implied.before, statusAfter: implied.after, reason: textOrNull(event['reason']), changes };
  return { statusBefore: textOrNull(event['statusBefore']), statusAfter, reason: textOrNull(event['reason']), changes };
}
