/** How long a slot stays reserved without an authorization. */
export const DEFAULT_HOLD_MS = 15 * 60_000;
/** A longer hold blocks a slot other customers could pay for; refuse such configuration. */
export const MAX_HOLD_MS = 24 * 3_600_000;

export interface HoldPolicy {
  readonly hold_ms: number;
}

export const DEFAULT_HOLD_POLICY: HoldPolicy = { hold_ms: DEFAULT_HOLD_MS };

/**
 * The hold deadline: what the request asks for, but never later than the merchant's hold
 * duration after the request was received (a client cannot reserve a slot for a week).
 */
export function holdDeadline(requested: Date, now: Date, policy: HoldPolicy = DEFAULT_HOLD_POLICY): Date {
  if (!Number.isSafeInteger(policy.hold_ms) || policy.hold_ms <= 0 || policy.hold_ms > MAX_HOLD_MS) {
    throw new RangeError(`hold duration ${policy.hold_ms} ms is not within 1..${MAX_HOLD_MS}`);
  }
  const latest_ms = now.getTime() + policy.hold_ms;
  return new Date(Math.min(requested.getTime(), latest_ms));
}
