import fc from 'fast-check';
import Stripe from 'stripe';
import { SIGNATURE_HEADER, signatureHeader, verifySignatureHeader } from './webhook-signature';

const NOW_S = 1_764_000_000;
const TOLERANCE_S = 300;
const CURRENT = 'whsec_current_0123456789';
const PREVIOUS = 'whsec_previous_0123456789';
const BODY = JSON.stringify({ id: 'evt_1', object: 'event', type: 'booking.confirmed', data: { object: { id: 'bk_1', amount_minor: '1250' } } });
const at = (nowSeconds: number) => ({ toleranceSeconds: TOLERANCE_S, nowSeconds });

/** Stripe's own verifier (the SDK's, not a copy of it): throws a StripeSignatureVerificationError on refusal. */
function stripeAccepts(rawBody: string | Buffer, header: string, secret: string, nowSeconds: number): boolean {
  const signature = Stripe.webhooks.signature;
  if (signature === null) throw new Error('the stripe SDK has no signature helper');
  try {
    return signature.verifyHeader(rawBody, header, secret, TOLERANCE_S, undefined, nowSeconds * 1000);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) return false;
    throw error;
  }
}

const secret = fc.string({ minLength: 1, maxLength: 40 }).filter((text) => !/\s/.test(text));
const body = fc.oneof(fc.string({ minLength: 1, maxLength: 300 }), fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => Buffer.from(bytes)));
const timestamp = fc.integer({ min: 0, max: 10 ** 11 });
/**
 * Stripe's verifier decodes a Buffer body as UTF-8 before hashing, so bytes that are not UTF-8
 * come out changed there (never here): the cross-checks use text, as a JSON body is.
 */
const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 });
const textBody = fc.oneof(text, text.map((value) => Buffer.from(value, 'utf8')));

describe('the Txn-Signature header', () => {
  it('is named Txn-Signature and reads t=<unix seconds>,v1=<64 hex digits>, one v1 per secret, the current first', () => {
    expect(SIGNATURE_HEADER).toBe('Txn-Signature');
    const header = signatureHeader([CURRENT, PREVIOUS], NOW_S, BODY);
    expect(header).toMatch(/^t=1764000000,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    const [, first] = header.split(',');
    expect(signatureHeader([CURRENT], NOW_S, BODY)).toBe(`t=${NOW_S},${first}`);
  });

  it('signs the same bytes whether the body is given as a string or as its UTF-8 buffer', () => {
    const text = '{"name":"Zoë ✓"}';
    expect(signatureHeader([CURRENT], NOW_S, text)).toBe(signatureHeader([CURRENT], NOW_S, Buffer.from(text, 'utf8')));
  });

  it('refuses to sign with no secret, more than two, an empty one, or a timestamp that is not unix seconds', () => {
    expect(() => signatureHeader([], NOW_S, BODY)).toThrow(RangeError);
    expect(() => signatureHeader([CURRENT, PREVIOUS, 'third'], NOW_S, BODY)).toThrow(RangeError);
    expect(() => signatureHeader([''], NOW_S, BODY)).toThrow(RangeError);
    expect(() => signatureHeader([CURRENT], 1_764_000_000.5, BODY)).toThrow(RangeError);
    expect(() => signatureHeader([CURRENT], -1, BODY)).toThrow(RangeError);
  });

  it('verifies with either secret of a rotation, and with neither once the old one is dropped', () => {
    const header = signatureHeader([CURRENT, PREVIOUS], NOW_S, BODY);
    expect(verifySignatureHeader(header, BODY, CURRENT, at(NOW_S))).toEqual({ ok: true, timestamp: NOW_S });
    expect(verifySignatureHeader(header, BODY, PREVIOUS, at(NOW_S))).toEqual({ ok: true, timestamp: NOW_S });
    expect(verifySignatureHeader(signatureHeader([CURRENT], NOW_S, BODY), BODY, PREVIOUS, at(NOW_S))).toEqual({ ok: false, reason: 'no-matching-signature' });
  });

  it('refuses a timestamp older or newer than the tolerance, and accepts one at its edge', () => {
    const signedAt = (seconds: number) => signatureHeader([CURRENT], seconds, BODY);
    expect(verifySignatureHeader(signedAt(NOW_S - TOLERANCE_S), BODY, CURRENT, at(NOW_S))).toEqual({ ok: true, timestamp: NOW_S - TOLERANCE_S });
    expect(verifySignatureHeader(signedAt(NOW_S - TOLERANCE_S - 1), BODY, CURRENT, at(NOW_S))).toEqual({ ok: false, reason: 'timestamp-outside-tolerance' });
    expect(verifySignatureHeader(signedAt(NOW_S + TOLERANCE_S + 1), BODY, CURRENT, at(NOW_S))).toEqual({ ok: false, reason: 'timestamp-outside-tolerance' });
  });

  it('calls a forgery a forgery whatever its timestamp, so a refusal for time means an authentic header', () => {
    const forged = signatureHeader(['whsec_attacker'], NOW_S - 10 * TOLERANCE_S, BODY);
    expect(verifySignatureHeader(forged, BODY, CURRENT, at(NOW_S))).toEqual({ ok: false, reason: 'no-matching-signature' });
  });

  it.each([
    ['an empty header', ''],
    ['no timestamp', `v1=${'a'.repeat(64)}`],
    ['no v1 signature', `t=${NOW_S},v0=${'a'.repeat(64)}`],
    ['two timestamps', `t=${NOW_S},t=${NOW_S},v1=${'a'.repeat(64)}`],
    ['a timestamp that is not a number', `t=soon,v1=${'a'.repeat(64)}`],
    ['a negative timestamp', `t=-5,v1=${'a'.repeat(64)}`],
    ['an item without "="', `t=${NOW_S},v1`],
    ['a header of 4 KiB and more', `t=${NOW_S},${'v1=ab,'.repeat(700)}v1=ab`],
  ])('calls %s malformed', (_what, header) => {
    expect(verifySignatureHeader(header, BODY, CURRENT, at(NOW_S))).toEqual({ ok: false, reason: 'malformed' });
  });

  it('ignores other schemes and a v1 that is not 64 hex digits, as long as one v1 matches', () => {
    const [, good] = signatureHeader([CURRENT], NOW_S, BODY).split(',');
    const header = `t=${NOW_S},v0=deadbeef,v1=not-hex,v1=${'A'.repeat(64)},${good}`;
    expect(verifySignatureHeader(header, BODY, CURRENT, at(NOW_S))).toEqual({ ok: true, timestamp: NOW_S });
    expect(verifySignatureHeader(`t=${NOW_S},v1=not-hex`, BODY, CURRENT, at(NOW_S))).toEqual({ ok: false, reason: 'no-matching-signature' });
  });

  it('verifies any body it signed, with any of the signing secrets, at any time within the tolerance', () => {
    fc.assert(
      fc.property(fc.uniqueArray(secret, { minLength: 1, maxLength: 2 }), body, timestamp, fc.integer({ min: -TOLERANCE_S, max: TOLERANCE_S }), (secrets, raw, signedAt, skew) => {
        const header = signatureHeader(secrets, signedAt, raw);
        const nowSeconds = Math.max(0, signedAt + skew);
        for (const one of secrets) expect(verifySignatureHeader(header, raw, one, at(nowSeconds))).toEqual({ ok: true, timestamp: signedAt });
      }),
    );
  });

  it('refuses any changed byte of the body and any secret that did not sign', () => {
    fc.assert(
      fc.property(secret, secret, fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (signer, other, bytes, index, flip) => {
        fc.pre(signer !== other);
        const raw = Buffer.from(bytes);
        const header = signatureHeader([signer], NOW_S, raw);
        const tampered = Buffer.from(raw);
        const position = index % tampered.length;
        tampered[position] = (tampered[position] ?? 0) ^ flip;
        expect(verifySignatureHeader(header, tampered, signer, at(NOW_S))).toEqual({ ok: false, reason: 'no-matching-signature' });
        expect(verifySignatureHeader(header, raw, other, at(NOW_S))).toEqual({ ok: false, reason: 'no-matching-signature' });
      }),
    );
  });

  it('refuses an authentic header signed further from now than the tolerance, either way', () => {
    fc.assert(
      fc.property(secret, body, fc.integer({ min: TOLERANCE_S + 1, max: 10 ** 6 }), fc.boolean(), (one, raw, distance, late) => {
        const signedAt = late ? NOW_S - distance : NOW_S + distance;
        expect(verifySignatureHeader(signatureHeader([one], signedAt, raw), raw, one, at(NOW_S))).toEqual({ ok: false, reason: 'timestamp-outside-tolerance' });
      }),
    );
  });
});

describe('the Txn-Signature header and Stripe’s own verifier (the stripe SDK)', () => {
  it('passes Stripe’s verifier with either secret of a rotation, and fails it with another secret or body', () => {
    const header = signatureHeader([CURRENT, PREVIOUS], NOW_S, BODY);
    expect(stripeAccepts(BODY, header, CURRENT, NOW_S)).toBe(true);
    expect(stripeAccepts(Buffer.from(BODY), header, PREVIOUS, NOW_S)).toBe(true);
    expect(stripeAccepts(BODY, header, 'whsec_other', NOW_S)).toBe(false);
    expect(stripeAccepts(BODY.replace('bk_1', 'bk_2'), header, CURRENT, NOW_S)).toBe(false);
    expect(stripeAccepts(BODY, header, CURRENT, NOW_S + TOLERANCE_S + 1)).toBe(false);
  });

  it('builds headers Stripe’s verifier accepts, for any body and secret', () => {
    fc.assert(
      fc.property(secret, textBody, (one, raw) => {
        expect(stripeAccepts(raw, signatureHeader([one], NOW_S, raw), one, NOW_S)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('accepts the test header Stripe’s SDK generates, and is the same header byte for byte', () => {
    fc.assert(
      fc.property(secret, text, fc.integer({ min: 1, max: 10 ** 11 }), (one, payload, signedAt) => {
        const stripeHeader = Stripe.webhooks.generateTestHeaderString({ payload, secret: one, timestamp: signedAt });
        expect(verifySignatureHeader(stripeHeader, payload, one, at(signedAt))).toEqual({ ok: true, timestamp: signedAt });
        expect(stripeHeader).toBe(signatureHeader([one], signedAt, payload));
      }),
      { numRuns: 50 },
    );
  });
});
