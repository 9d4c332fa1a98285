/**
 * Error answers in Stripe's shape (`{ "error": { type, code?, message, ... } }`), so the `stripe`
 * SDK raises the same error classes it raises against Stripe (idempotency_error →
 * StripeIdempotencyError, card_error → StripeCardError, api_error → StripeAPIError).
 */
export interface StripeErrorAnswer {
  readonly status: number;
  readonly body: { readonly error: Readonly<Record<string, string>> };
}

const IDEMPOTENCY_DOC_URL = 'https://docs.stripe.com/api/idempotent_requests';
/** Stripe's documented limit on the key's length. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export function parametersMismatch(key: string): StripeErrorAnswer {
  return {
    status: 400,
    body: {
      error: {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Use a key other than '${key}' for a different request.`,
        doc_url: IDEMPOTENCY_DOC_URL,
      },
    },
  };
}

export function endpointMismatch(key: string, firstPath: string, thisPath: string): StripeErrorAnswer {
  return {
    status: 400,
    body: {
      error: {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${thisPath}' vs '${firstPath}'). Use a key other than '${key}' for a different request.`,
        doc_url: IDEMPOTENCY_DOC_URL,
      },
    },
  };
}

/** Stripe answers 409 while the first request with a key still runs; nothing is stored, retry later. */
export function keyInUse(key: string): StripeErrorAnswer {
  return {
    status: 409,
    body: {
      error: {
        type: 'idempotency_error',
        code: 'idempotency_key_in_use',
        message: `Another request with the idempotency key '${key}' is still in progress; retry it later with the same key.`,
        doc_url: IDEMPOTENCY_DOC_URL,
      },
    },
  };
}

export function keyTooLong(): StripeErrorAnswer {
  return {
    status: 400,
    body: { error: { type: 'invalid_request_error', message: `Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters long.` } },
  };
}

export function cardDeclined(): StripeErrorAnswer {
  return {
    status: 402,
    body: { error: { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined. (injected by the PSP fault proxy)' } },
  };
}

/** What a gateway between us and the PSP answers: not the PSP's body. */
export function gatewayError(status: number, reason: string): StripeErrorAnswer {
  return { status, body: { error: { type: 'api_error', message: `${reason} (injected by the PSP fault proxy)` } } };
}

export function requestTooLarge(limit_bytes: number): StripeErrorAnswer {
  return { status: 413, body: { error: { type: 'invalid_request_error', message: `request body over ${limit_bytes} bytes` } } };
}
