import { createHmac } from 'node:crypto';
import { verifyStripeSignature } from './signature';

const NOW_MS = 1_764_000_000_000;
const CURRENT = { id: 'current', secret: 'whsec_current_0123456789' };
const PREVIOUS = { id: 'previous', secret: 'whsec_previous_0123456789' };
const BODY = Buffer.from(JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded', created: 1_764_000_000, data: { object: { id: 'pi_1', object: 'payment_intent' } } }));

/** The header as Stripe writes it: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. */
function signed(secret: string, body: Buffer, at_s: number): string {
  return `t=${at_s},v1=${createHmac('sha256', secret).update(`${at_s}.`).update(body).digest('hex')}`;
}

describe('verifyStripeSignature', () => {
  const now_s = NOW_MS / 1000;

  it('accepts a body signed with the current or, during a rotation, the previous secret, and names which', () => {
    expect(verifyStripeSignature(BODY, signed(CURRENT.secret, BODY, now_s), [CURRENT, PREVIOUS], 300, NOW_MS)).toMatchObject({ verified: true, secretId: 'current', event: { id: 'evt_1' } });
    expect(verifyStripeSignature(BODY, signed(PREVIOUS.secret, BODY, now_s), [CURRENT, PREVIOUS], 300, NOW_MS)).toMatchObject({ verified: true, secretId: 'previous' });
    // After the rotation only the new secret is configured: the old one no longer verifies.
    expect(verifyStripeSignature(BODY, signed(PREVIOUS.secret, BODY, now_s), [CURRENT], 300, NOW_MS)).toEqual({ verified: false, reason: 'bad_signature' });
  });

  it('refuses a forged signature, a changed body, a missing header and a header without a timestamp', () => {
    expect(verifyStripeSignature(BODY, signed('whsec_attacker', BODY, now_s), [CURRENT], 300, NOW_MS)).toEqual({ verified: false, reason: 'bad_signature' });
    const tampered = Buffer.from(BODY.toString().replace('pi_1', 'pi_2'));
    expect(verifyStripeSignature(tampered, signed(CURRENT.secret, BODY, now_s), [CURRENT], 300, NOW_MS)).toEqual({ verified: false, reason: 'bad_signature' });
    expect(verifyStripeSignature(BODY, undefined, [CURRENT], 300, NOW_MS)).toEqual({ verified: false, reason: 'missing_signature' });
    expect(verifyStripeSignature(BODY, 'v1=abc', [CURRENT], 300, NOW_MS)).toEqual({ verified: false, reason: 'bad_signature' });
  });

  it('refuses a timestamp older than the tolerance (a replay) and one further ahead than it', () => {
    expect(verifyStripeSignature(BODY, signed(CURRENT.secret, BODY, now_s - 301), [CURRENT], 300, NOW_MS)).toEqual({ verified: false, reason: 'timestamp_expired' });
    expect(verifyStripeSignature(BODY, signed(CURRENT.secret, BODY, now_s - 299), [CURRENT], 300, NOW_MS)).toMatchObject({ verified: true });
    expect(verifyStripeSignature(BODY, signed(CURRENT.secret, BODY, now_s + 301), [CURRENT], 300, NOW_MS)).toEqual({ verified: false, reason: 'timestamp_in_future' });
  });

  it('refuses a correctly signed body that is not JSON', () => {
    const notJson = Buffer.from('not json');
    expect(verifyStripeSignature(notJson, signed(CURRENT.secret, notJson, now_s), [CURRENT], 300, NOW_MS)).toEqual({ verified: false, reason: 'malformed_body' });
  });
});
