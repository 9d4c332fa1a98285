import { issueApiKey, parseApiKey, presentedKeyDigest, verifyApiKeySecret } from './api-key-secret';

describe('API key secrets', () => {
  it('issues a key whose secret verifies against the stored hash, and only that secret', async () => {
    const issued = await issueApiKey();
    const parts = parseApiKey(issued.key);
    expect(parts?.prefix).toBe(issued.prefix);
    expect(issued.secretHash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(issued.secretHash).not.toContain(parts?.secret ?? 'never');
    expect(await verifyApiKeySecret(parts?.secret ?? '', issued.secretHash)).toBe(true);
    const other = await issueApiKey();
    expect(await verifyApiKeySecret(parseApiKey(other.key)?.secret ?? '', issued.secretHash)).toBe(false);
  });

  it('refuses what is not shaped like a key, and a stored hash it cannot read', async () => {
    for (const presented of ['', 'txn_sk_', 'Bearer x', 'txn_sk_ABCDEFGHIJKL_' + 'a'.repeat(43), 'txn_sk_abcdefghijkl_short']) expect(parseApiKey(presented)).toBeNull();
    expect(await verifyApiKeySecret('anything', 'md5$abc')).toBe(false);
  });

  it('keys the verification cache by a digest that does not contain the key', async () => {
    const issued = await issueApiKey();
    const digest = presentedKeyDigest(issued.key);
    expect(digest).not.toContain(issued.prefix);
    expect(digest).toBe(presentedKeyDigest(issued.key));
  });
});
