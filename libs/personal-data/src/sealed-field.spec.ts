import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { newDataKey } from './keyring';
import { customerAad, isSealed, openField, sealedKeyId, sealField } from './sealed-field';

describe('sealed personal-data fields', () => {
  it('property: a sealed field opens to its plaintext with its key and customer, shows nothing of it, and opens for no other customer or key', () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.string({ minLength: 1, maxLength: 20 }), (email, customer) => {
        const key = newDataKey();
        const keyId = randomUUID();
        const aad = customerAad('merchant-1', customer);
        const sealed = sealField(key, keyId, email, aad);
        expect(isSealed(sealed)).toBe(true);
        expect(sealedKeyId(sealed)).toBe(keyId);
        expect(sealed).not.toContain(email);
        expect(openField(key, sealed, aad)).toBe(email);
        expect(() => openField(key, sealed, customerAad('merchant-2', customer))).toThrow();
        expect(() => openField(newDataKey(), sealed, aad)).toThrow();
      }),
      { numRuns: 100 },
    );
  });

  it('seals the same value differently each time (a fresh nonce), so equal emails do not show as equal', () => {
    const key = newDataKey();
    const keyId = randomUUID();
    expect(sealField(key, keyId, 'ada@example.com', 'm:c')).not.toBe(sealField(key, keyId, 'ada@example.com', 'm:c'));
  });

  it('tells a plain value from a sealed one', () => {
    expect(isSealed('ada@example.com')).toBe(false);
    expect(sealedKeyId('ada@example.com')).toBeUndefined();
    expect(() => openField(newDataKey(), 'ada@example.com', 'm:c')).toThrow(/not a sealed/);
  });
});
