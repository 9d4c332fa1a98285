import fc from 'fast-check';
import { DELIVERABLE_EVENT_TYPES, endpointSecret, unknownEventTypes, urlProblem } from './endpoint-rules';

describe('webhook endpoint rules', () => {
  it('takes https URLs, and plain http only on a loopback host', () => {
    expect(urlProblem('https://merchant.example/hooks?x=1')).toBeNull();
    expect(urlProblem('http://127.0.0.1:9000/hook')).toBeNull();
    expect(urlProblem('http://[::1]:9000/hook')).toBeNull();
    expect(urlProblem('http://localhost/hook')).toBeNull();
    expect(urlProblem('http://merchant.example/hook')).toMatch(/https/);
    expect(urlProblem('ftp://merchant.example/hook')).toMatch(/https/);
    expect(urlProblem('/relative')).toMatch(/absolute/);
  });

  it('refuses credentials, fragments and overlong URLs', () => {
    expect(urlProblem('https://user:pw@merchant.example/hook')).toMatch(/credentials/);
    expect(urlProblem('https://merchant.example/hook#part')).toMatch(/fragment/);
    expect(urlProblem(`https://merchant.example/${'a'.repeat(2_100)}`)).toMatch(/2048/);
  });

  it('refuses a literal private, link-local or metadata address at registration (names are checked again at every connect)', () => {
    for (const url of ['https://10.0.0.1/hook', 'https://169.254.169.254/latest', 'https://[fe80::1]/hook', 'https://100.64.0.1/hook', 'https://[::ffff:192.168.1.1]/hook', 'https://0.0.0.0/hook']) {
      expect({ url, problem: urlProblem(url) }).toEqual({ url, problem: expect.stringMatching(/^must not point at/) });
    }
    expect(urlProblem('https://93.184.216.34/hook')).toBeNull();
  });

  it('knows the deliverable event types: bookings\u2019 and payments\u2019, or * alone', () => {
    expect(DELIVERABLE_EVENT_TYPES).toEqual(expect.arrayContaining(['BookingConfirmed', 'PaymentRefunded', 'PaymentRefundRejected']));
    expect(DELIVERABLE_EVENT_TYPES).not.toContain('EntryPosted');
    expect(unknownEventTypes(['*'])).toEqual([]);
    expect(unknownEventTypes(['BookingConfirmed', 'EntryPosted', '*'])).toEqual(['EntryPosted', '*']);
  });

  it('derives one secret per endpoint, version and key: the same inputs the same secret, any other input another', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.integer({ min: 1, max: 1_000 }), fc.string({ minLength: 16, maxLength: 64 }), (first, second, version, key) => {
        const secret = endpointSecret(key, first, version);
        expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
        expect(endpointSecret(key, first, version)).toBe(secret);
        expect(endpointSecret(key, first, version + 1)).not.toBe(secret);
        if (first !== second) expect(endpointSecret(key, second, version)).not.toBe(secret);
        expect(endpointSecret(`${key}x`, first, version)).not.toBe(secret);
      }),
    );
  });
});
