import Stripe from 'stripe';

/** One webhook signing secret and the id we name it by (never the secret) in logs and events. */
export interface WebhookSecret {
  readonly id: string;
  readonly secret: string;
}

export type RejectionReason = 'missing_signature' | 'bad_signature' | 'timestamp_expired' | 'timestamp_in_future' | 'malformed_body';

export type Verification = { readonly verified: true; readonly secretId: string; readonly event: unknown } | { readonly verified: false; readonly reason: RejectionReason };

const TIMESTAMP = /(?:^|,)t=(\d{1,12})(?:,|$)/;

/**
 * Stripe-Signature checked on the raw bytes with the official SDK's verifier
 * (`stripe.webhooks.constructEvent`: HMAC-SHA256 over `t.body`, constant-time compare, the
 * tolerance on the timestamp's age), against each valid secret in turn: during a rotation two
 * are valid, and the event says which one verified. The SDK checks age only; a timestamp further
 * in the future than the tolerance is refused here too (a clock that far ahead is not Stripe's).
 */
export function verifyStripeSignature(raw: Buffer, header: string | undefined, secrets: readonly WebhookSecret[], tolerance_s: number, now_ms: number): Verification {
  if (header === undefined || header.length === 0 || header.length > 4_096) return { verified: false, reason: 'missing_signature' };
  const timestamp = TIMESTAMP.exec(header)?.[1];
  if (timestamp === undefined) return { verified: false, reason: 'bad_signature' };
  if (Number(timestamp) - Math.floor(now_ms / 1000) > tolerance_s) return { verified: false, reason: 'timestamp_in_future' };
  let expired = false;
  for (const { id, secret } of secrets) {
    try {
      const event = Stripe.webhooks.constructEvent(raw, header, secret, tolerance_s, undefined, now_ms);
      return { verified: true, secretId: id, event };
    } catch (error) {
      if (error instanceof SyntaxError) return { verified: false, reason: 'malformed_body' };
      if (error instanceof Error && /tolerance/i.test(error.message)) expired = true;
    }
  }
  return { verified: false, reason: expired ? 'timestamp_expired' : 'bad_signature' };
}
