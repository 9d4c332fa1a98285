import type { PspFailure } from '../application/psp-port';

/** Stripe error codes that describe the object's state, not a malformed request. */
const STATE_CODES = new Set(['payment_intent_unexpected_state', 'charge_already_refunded', 'charge_already_captured', 'charge_expired_for_capture', 'amount_too_large']);
/** Node and SDK codes for a connection that broke or timed out: the request may have been done. */
const CONNECTION_TYPES = new Set(['StripeConnectionError']);

interface ErrorShape {
  readonly type?: unknown;
  readonly rawType?: unknown;
  readonly statusCode?: unknown;
  readonly code?: unknown;
  readonly decline_code?: unknown;
  readonly message?: unknown;
  readonly param?: unknown;
  readonly raw?: { readonly payment_intent?: { readonly id?: unknown } };
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * What a failed PSP call means, decided by HTTP status and Stripe's error code, never by the SDK's
 * error class alone (localstripe answers a decline as invalid_request_error with 402, Stripe as
 * card_error). Whatever cannot be shown to have failed is `unknown`: a timeout or a 5xx after the
 * PSP did the work must not become a failure, or a retry with a new key would charge twice.
 */
export function classifyPspError(error: unknown): PspFailure {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as ErrorShape;
  const status = typeof shape.statusCode === 'number' ? shape.statusCode : null;
  const code = text(shape.code);
  const message = text(shape.message) ?? String(error);
  const type = text(shape.type);
  if (type !== null && CONNECTION_TYPES.has(type)) return { kind: 'unknown', cause: `PSP_CONNECTION: ${message}` };
  if (status === null) {
    // No HTTP answer we could read (an unparseable body, a socket error): the outcome is open.
    return { kind: 'unknown', cause: `PSP_NO_ANSWER: ${message}` };
  }
  if (status >= 500) return { kind: 'unknown', cause: `PSP_HTTP_${status}` };
  // Another request with our key is still running, or we are rate limited: nothing is known yet.
  if (status === 409 || status === 429) return { kind: 'unknown', cause: `PSP_HTTP_${status}${code === null ? '' : `_${code}`}` };
  if (status === 402 || text(shape.rawType) === 'card_error') {
    return { kind: 'declined', code: code ?? 'card_declined', declineCode: text(shape.decline_code), intentId: text(shape.raw?.payment_intent?.id) };
  }
  if (status === 404) return { kind: 'not_found' };
  if (status === 400 && code !== null && STATE_CODES.has(code)) return { kind: 'state_conflict', code, message };
  return { kind: 'invalid_request', status, code, message };
}
