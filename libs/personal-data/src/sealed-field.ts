import { fieldCipher } from './keyring';

/** What a sealed personal-data field starts with: the format, then the customer key's id. */
export const SEALED_PREFIX = 'pd1.';
const SEALED = /^pd1\.([0-9a-f-]{36})\.([A-Za-z0-9_-]+)$/;

/** The AAD of a customer's fields: a sealed value moved to another customer or tenant does not open. */
export function customerAad(tenantId: string, customerId: string): string {
  return `${tenantId}:${customerId}`;
}

/** The AAD of a wrapped data key: its tenant, customer and id, so a wrapping copied to another customer does not unwrap. */
export function dataKeyAad(tenantId: string, customerId: string, keyId: string): string {
  return `${tenantId}:${customerId}:${keyId}`;
}

/** `pd1.<key id>.<nonce ‖ ciphertext ‖ tag>`: self-describing, so any holder of the key copy can open it and nobody else can. */
export function sealField(dataKey: Buffer, keyId: string, plaintext: string, aad: string): string {
  return `${SEALED_PREFIX}${keyId}.${fieldCipher.seal(dataKey, Buffer.from(plaintext, 'utf8'), aad)}`;
}

export function isSealed(value: string): boolean {
  return SEALED.test(value);
}

/** The customer key a sealed value needs, or undefined when it is not a sealed value. */
export function sealedKeyId(value: string): string | undefined {
  return SEALED.exec(value)?.[1];
}

/** The plaintext; throws when the value was altered, or is opened with another key or for another customer. */
export function openField(dataKey: Buffer, sealed: string, aad: string): string {
  const match = SEALED.exec(sealed);
  if (match === null) throw new Error('not a sealed personal-data value');
  return fieldCipher.open(dataKey, match[2] ?? '', aad).toString('utf8');
}
