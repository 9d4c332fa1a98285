import Stripe from 'stripe';
import { classifyPspError } from './classify';

function stripeError(raw: Record<string, unknown>): unknown {
  return Stripe.errors.StripeError.generate(raw as unknown as Parameters<typeof Stripe.errors.StripeError.generate>[0]);
}

describe('classifyPspError: by HTTP status and code, never by error class alone', () => {
  it('a 402 is a decline, whichever class the SDK chose (localstripe sends invalid_request_error)', () => {
    expect(classifyPspError(stripeError({ statusCode: 402, type: 'invalid_request_error', code: 'card_declined', message: 'declined' }))).toEqual({
      kind: 'declined',
      code: 'card_declined',
      declineCode: null,
      intentId: null,
    });
    expect(classifyPspError(stripeError({ statusCode: 402, type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds', message: 'no' }))).toMatchObject({
      kind: 'declined',
      declineCode: 'insufficient_funds',
    });
  });

  it('timeouts, resets, 5xx, 409 key in use and 429 leave the outcome unknown: never a failure', () => {
    expect(classifyPspError(new Stripe.errors.StripeConnectionError({ message: 'Request aborted due to timeout being reached (5000ms)' }))).toMatchObject({ kind: 'unknown' });
    for (const statusCode of [500, 502, 503, 504]) expect(classifyPspError(stripeError({ statusCode, type: 'api_error', message: 'x' }))).toEqual({ kind: 'unknown', cause: `PSP_HTTP_${statusCode}` });
    expect(classifyPspError(stripeError({ statusCode: 409, type: 'idempotency_error', code: 'idempotency_key_in_use', message: 'x' }))).toMatchObject({ kind: 'unknown' });
    expect(classifyPspError(stripeError({ statusCode: 429, type: 'invalid_request_error', message: 'x' }))).toMatchObject({ kind: 'unknown' });
    // An unreadable answer (a gateway's HTML body) has no status: unknown too.
    expect(classifyPspError(new Stripe.errors.StripeAPIError({ message: 'Invalid JSON received from the Stripe API' }))).toMatchObject({ kind: 'unknown' });
    expect(classifyPspError(new Error('socket hang up'))).toMatchObject({ kind: 'unknown' });
  });

  it('a 400 about state is a conflict to resolve by asking; other 4xx are our bug', () => {
    expect(classifyPspError(stripeError({ statusCode: 400, type: 'invalid_request_error', code: 'payment_intent_unexpected_state', message: 'x' }))).toMatchObject({ kind: 'state_conflict' });
    expect(classifyPspError(stripeError({ statusCode: 400, type: 'invalid_request_error', message: 'Unexpected description' }))).toMatchObject({ kind: 'invalid_request', status: 400 });
    expect(classifyPspError(stripeError({ statusCode: 400, type: 'idempotency_error', message: 'other parameters' }))).toMatchObject({ kind: 'invalid_request' });
    expect(classifyPspError(stripeError({ statusCode: 401, type: 'invalid_request_error', message: 'bad key' }))).toMatchObject({ kind: 'invalid_request', status: 401 });
    expect(classifyPspError(stripeError({ statusCode: 404, type: 'invalid_request_error', message: 'Not Found' }))).toEqual({ kind: 'not_found' });
  });
});
