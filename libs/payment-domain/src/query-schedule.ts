/**
 * When to ask the PSP again about a call whose outcome is unknown (timeout, 5xx). Early queries
 * catch the common case (the PSP answered, the answer was lost); later ones wait out a PSP
 * incident. After the last one we stop and alert a person: guessing would either charge twice or
 * drop money that was taken.
 */
export const OUTCOME_QUERY_DELAYS_MS: readonly number[] = [
  60_000, // 1 min
  5 * 60_000, // 5 min
  30 * 60_000, // 30 min
  2 * 3_600_000, // 2 h
  6 * 3_600_000, // 6 h
  24 * 3_600_000, // 24 h
];
export const MAX_OUTCOME_QUERY_ATTEMPTS = OUTCOME_QUERY_DELAYS_MS.length;

/**
 * Delay before query number `attempt` (1-based), measured from the previous query (or from the
 * moment the outcome became unknown, for attempt 1); `null` once the schedule is exhausted.
 */
export function outcomeQueryDelay_ms(attempt: number): number | null {
  if (!Number.isSafeInteger(attempt) || attempt < 1) throw new RangeError(`query attempt ${attempt} must be a positive integer`);
  return OUTCOME_QUERY_DELAYS_MS[attempt - 1] ?? null;
}

/** When the saga alarms if the outcome is still unknown: the sum of the whole schedule after `since`. */
export function outcomeResolveBy(since: Date): Date {
  const total_ms = OUTCOME_QUERY_DELAYS_MS.reduce((sum, delay_ms) => sum + delay_ms, 0);
  return new Date(since.getTime() + total_ms);
}
