import fc from 'fast-check';
import { requestFingerprint } from './request-fingerprint';

const FORM = 'application/x-www-form-urlencoded';
const key = fc.stringMatching(/^[a-z_]{1,8}(\[[a-z_]{1,6}\])?$/);
const value = fc.string({ maxLength: 12 });

function encode(pairs: readonly (readonly [string, string])[]): Buffer {
  return Buffer.from(new URLSearchParams(pairs.map(([k, v]): [string, string] => [k, v])).toString());
}

describe('request fingerprint', () => {
  it('is the same whatever the order of distinct parameters', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: 8 }), fc.integer(), (pairs, seed) => {
        const shuffled = [...pairs].sort((a, b) => ((a[0].length * 31 + seed) % 7) - ((b[0].length * 31 + seed) % 7));
        expect(requestFingerprint('POST', '/v1/x', '', FORM, encode(shuffled))).toEqual(requestFingerprint('POST', '/v1/x', '', FORM, encode(pairs)));
      }),
    );
  });

  it('changes when any value changes', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, minLength: 1, maxLength: 8 }), fc.nat(), value, (pairs, index, other) => {
        const at = index % pairs.length;
        const original = pairs[at];
        fc.pre(original !== undefined && original[1] !== other);
        const changed = pairs.map((pair, i) => (i === at ? ([pair[0], other] as const) : pair));
        expect(requestFingerprint('POST', '/v1/x', '', FORM, encode(changed)).params_sha256).not.toBe(
          requestFingerprint('POST', '/v1/x', '', FORM, encode(pairs)).params_sha256,
        );
      }),
    );
  });

  it('keeps the order of repeated keys (expand[]) significant', () => {
    const ab = requestFingerprint('POST', '/v1/x', '', FORM, Buffer.from('expand[]=a&expand[]=b'));
    const ba = requestFingerprint('POST', '/v1/x', '', FORM, Buffer.from('expand[]=b&expand[]=a'));
    expect(ab.params_sha256).not.toBe(ba.params_sha256);
  });

  it('treats the encodings of one value alike', () => {
    const plus = requestFingerprint('POST', '/v1/x', '', FORM, Buffer.from('metadata[note]=a+b'));
    const percent = requestFingerprint('POST', '/v1/x', '', `${FORM}; charset=utf-8`, Buffer.from('metadata%5Bnote%5D=a%20b'));
    expect(plus).toEqual(percent);
  });
});
