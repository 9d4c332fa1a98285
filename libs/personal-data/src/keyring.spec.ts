import fc from 'fast-check';
import { newDataKey, newMasterKeyLine, parseMasterKeyring, rewrapDataKey, unwrapDataKey, wrapDataKey } from './keyring';

const AAD = 'merchant-1:customer-1:6f1d3a52-8c0e-5b7a-9d41-2e6c8f0a7b13';

describe('master keyring and data keys', () => {
  it('reads a keyring file: the first key is current, comments and blank lines ignored; refuses bad lines by number, never echoing a key', () => {
    const ring = parseMasterKeyring(`# rotated 2026-12\n${newMasterKeyLine('k2')}\n\n${newMasterKeyLine('k1')}\n`);
    expect(ring.current).toBe('k2');
    expect([...ring.keys.keys()]).toEqual(['k2', 'k1']);
    expect(() => parseMasterKeyring('k1:c2hvcnQ=')).toThrow(/line 1: expected/);
    expect(() => parseMasterKeyring(`${newMasterKeyLine('k1')}\n${newMasterKeyLine('k1')}`)).toThrow(/line 2: key id k1 appears twice/);
    expect(() => parseMasterKeyring('# nothing\n')).toThrow(/no key/);
  });

  it('property: a wrapped data key unwraps to itself, and not under another customer, another master key, or with one bit changed', () => {
    const ring = parseMasterKeyring(newMasterKeyLine('k1'));
    const other = parseMasterKeyring(newMasterKeyLine('k1'));
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60 }), fc.nat(), (aad, bit) => {
        const dataKey = newDataKey();
        const wrapped = wrapDataKey(ring, dataKey, aad);
        expect(unwrapDataKey(ring, wrapped, aad).equals(dataKey)).toBe(true);
        expect(() => unwrapDataKey(ring, wrapped, `${aad}x`)).toThrow();
        expect(() => unwrapDataKey(other, wrapped, aad)).toThrow();
        const bytes = Buffer.from(wrapped.wrapped, 'base64url');
        const index = bit % (bytes.length * 8);
        bytes[index >> 3] = (bytes[index >> 3] ?? 0) ^ (1 << (index & 7));
        expect(() => unwrapDataKey(ring, { ...wrapped, wrapped: bytes.toString('base64url') }, aad)).toThrow();
      }),
      { numRuns: 50 },
    );
  });

  it('rotation: keys wrapped under the old master still unwrap; rewrap moves them to the new one, after which the old key can go', () => {
    const oldLine = newMasterKeyLine('k1');
    const before = parseMasterKeyring(oldLine);
    const dataKey = newDataKey();
    const wrapped = wrapDataKey(before, dataKey, AAD);
    const rotated = parseMasterKeyring(`${newMasterKeyLine('k2')}\n${oldLine}`);
    expect(unwrapDataKey(rotated, wrapped, AAD).equals(dataKey)).toBe(true);
    const rewrapped = rewrapDataKey(rotated, wrapped, AAD);
    expect(rewrapped.masterKeyId).toBe('k2');
    expect(rewrapDataKey(rotated, rewrapped, AAD)).toBe(rewrapped);
    const retired = parseMasterKeyring([...rotated.keys.entries()].filter(([id]) => id === 'k2').map(([id, key]) => `${id}:${key.toString('base64')}`).join('\n'));
    expect(unwrapDataKey(retired, rewrapped, AAD).equals(dataKey)).toBe(true);
    expect(() => unwrapDataKey(retired, wrapped, AAD)).toThrow(/k1 is not in the keyring/);
  });
});
