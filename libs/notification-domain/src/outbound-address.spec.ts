import fc from 'fast-check';
import { addressVerdict, classifyAddress, MAX_WEBHOOK_URL_LENGTH, webhookUrlVerdict, type AddressRange } from './outbound-address';

const PRODUCTION = { allowLoopback: false };
const DEVELOPMENT = { allowLoopback: true };

/** Four octets as the dotted, the 32-bit decimal and the hexadecimal forms a URL host may take. */
const octets = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
const dotted = ([a, b, c, d]: [number, number, number, number]) => `${a}.${b}.${c}.${d}`;
const asInteger = ([a, b, c, d]: [number, number, number, number]) => ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;

describe('classifyAddress', () => {
  it.each<[string, AddressRange]>([
    ['8.8.8.8', 'unicast'],
    ['2606:4700:4700::1111', 'unicast'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.1.1', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['192.0.2.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['2002:7f00:1::', '6to4'],
    ['2001:0:4136:e378::1', 'teredo'],
    ['64:ff9b::7f00:1', 'rfc6052'],
    ['::ffff:0:7f00:1', 'rfc6145'],
    ['::7f00:1', 'reserved'],
    ['4000::1', 'reserved'],
  ])('%s is %s', (ip, range) => {
    expect(classifyAddress(ip)).toBe(range);
  });

  it.each<[string, AddressRange]>([
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:8.8.8.8', 'unicast'],
    ['::ffff:169.254.169.254', 'metadata'],
  ])('unwraps the IPv4-mapped %s: %s, never ipv4Mapped', (ip, range) => {
    expect(classifyAddress(ip)).toBe(range);
  });

  it.each(['169.254.169.254', '169.254.170.2', 'fd00:ec2::254', 'fd00:ec2:0:0:0:0:0:254', '100.100.100.200'])('names the cloud metadata address %s', (ip) => {
    expect(classifyAddress(ip)).toBe('metadata');
  });

  it.each(['', 'localhost', 'example.com', '0x7f.1', '2130706433', '127.1', '010.0.0.1', '1.2.3.4.5', '256.0.0.1', '[::1]', ' 8.8.8.8', '::ffff:127.1', `${'1:'.repeat(40)}1`])(
    'calls %j invalid: only dotted decimal and IPv6, as a resolver returns them',
    (ip) => {
      expect(classifyAddress(ip)).toBe('invalid');
    },
  );

  it('classifies an IPv4 address and its IPv4-mapped IPv6 form the same', () => {
    fc.assert(fc.property(fc.ipV4(), (ip) => expect(classifyAddress(`::ffff:${ip}`)).toBe(classifyAddress(ip))));
  });

  it('reads every IPv4 and IPv6 address, and never answers ipv4Mapped', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => {
        expect(classifyAddress(ip)).not.toBe('invalid');
        expect(classifyAddress(ip)).not.toBe('ipv4Mapped');
      }),
    );
  });
});

describe('addressVerdict', () => {
  it('allows public unicast, and loopback only when allowed', () => {
    expect(addressVerdict('8.8.8.8', PRODUCTION)).toEqual({ allowed: true, range: 'unicast' });
    expect(addressVerdict('127.0.0.1', DEVELOPMENT)).toEqual({ allowed: true, range: 'loopback' });
    expect(addressVerdict('::1', DEVELOPMENT)).toEqual({ allowed: true, range: 'loopback' });
    expect(addressVerdict('127.0.0.1', PRODUCTION)).toEqual({ allowed: false, range: 'loopback', reason: '"127.0.0.1" is in the loopback range, not a public unicast address' });
  });

  it('refuses every other range, saying which, whether loopback is allowed or not', () => {
    for (const ip of ['10.0.0.1', '169.254.169.254', 'fe80::1', 'fd00::1', '100.64.0.1', '0.0.0.0', '::', '255.255.255.255', '224.0.0.1', '192.0.2.1', '2002::1', '2001::1', '64:ff9b::1', '::ffff:0:1']) {
      const verdict = addressVerdict(ip, DEVELOPMENT);
      expect(verdict).toMatchObject({ allowed: false, range: classifyAddress(ip) });
      expect(!verdict.allowed && verdict.reason).toContain(`in the ${classifyAddress(ip)} range`);
    }
    expect(addressVerdict('nonsense', DEVELOPMENT)).toEqual({ allowed: false, range: 'invalid', reason: '"nonsense" is not an IP address' });
  });

  it('allows nothing but unicast and, when allowed, loopback, for any input', () => {
    const anything = fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), fc.string(), fc.ipV4().map((ip) => `::ffff:${ip}`));
    fc.assert(
      fc.property(anything, fc.boolean(), (ip, allowLoopback) => {
        const verdict = addressVerdict(ip, { allowLoopback });
        const allowed: readonly AddressRange[] = allowLoopback ? ['unicast', 'loopback'] : ['unicast'];
        expect(verdict.allowed).toBe(allowed.includes(classifyAddress(ip)));
      }),
    );
  });
});

describe('webhookUrlVerdict', () => {
  it('allows an https URL to a name, normalised, and leaves its addresses to the connect-time check', () => {
    expect(webhookUrlVerdict('https://Hooks.Merchant.example/txn?v=1', PRODUCTION)).toEqual({ allowed: true, href: 'https://hooks.merchant.example/txn?v=1', hostname: 'hooks.merchant.example' });
    expect(webhookUrlVerdict('https://8.8.8.8:8443/hook', PRODUCTION)).toMatchObject({ allowed: true, hostname: '8.8.8.8' });
    expect(webhookUrlVerdict('https://[2606:4700::1111]/hook', PRODUCTION)).toMatchObject({ allowed: true, hostname: '[2606:4700::1111]' });
  });

  it('refuses plain http, except to a loopback host when loopback is allowed', () => {
    expect(webhookUrlVerdict('http://hooks.merchant.example/', PRODUCTION)).toMatchObject({ allowed: false, refusal: 'scheme' });
    expect(webhookUrlVerdict('http://hooks.merchant.example/', DEVELOPMENT)).toMatchObject({ allowed: false, refusal: 'scheme' });
    expect(webhookUrlVerdict('http://8.8.8.8/', DEVELOPMENT)).toMatchObject({ allowed: false, refusal: 'scheme' });
    for (const url of ['http://127.0.0.1:3000/hook', 'http://127.8.9.10/', 'http://[::1]:8080/', 'http://localhost:3000/', 'http://api.localhost./']) {
      expect(webhookUrlVerdict(url, DEVELOPMENT)).toMatchObject({ allowed: true });
      expect(webhookUrlVerdict(url, PRODUCTION)).toMatchObject({ allowed: false, refusal: 'address', range: 'loopback' });
    }
  });

  it.each(['ftp://hooks.merchant.example/', 'file:///etc/passwd', 'javascript:alert(1)', 'ws://hooks.merchant.example/', 'data:text/plain,hi'])('refuses the scheme of %s', (url) => {
    expect(webhookUrlVerdict(url, DEVELOPMENT)).toMatchObject({ allowed: false, refusal: 'scheme' });
  });

  it('refuses credentials, a fragment (even an empty one), what is not a URL, and more than 2048 characters', () => {
    expect(webhookUrlVerdict('https://user:secret@hooks.merchant.example/', PRODUCTION)).toMatchObject({ allowed: false, refusal: 'credentials' });
    expect(webhookUrlVerdict('https://user@hooks.merchant.example/', PRODUCTION)).toMatchObject({ allowed: false, refusal: 'credentials' });
    expect(webhookUrlVerdict('https://hooks.merchant.example/#top', PRODUCTION)).toMatchObject({ allowed: false, refusal: 'fragment' });
    expect(webhookUrlVerdict('https://hooks.merchant.example/#', PRODUCTION)).toMatchObject({ allowed: false, refusal: 'fragment' });
    expect(webhookUrlVerdict('hooks.merchant.example/txn', PRODUCTION)).toMatchObject({ allowed: false, refusal: 'not-a-url' });
    expect(webhookUrlVerdict('https://', PRODUCTION)).toMatchObject({ allowed: false, refusal: 'not-a-url' });
    const base = 'https://hooks.merchant.example/';
    expect(webhookUrlVerdict(base + 'a'.repeat(MAX_WEBHOOK_URL_LENGTH - base.length), PRODUCTION)).toMatchObject({ allowed: true });
    expect(webhookUrlVerdict(base + 'a'.repeat(MAX_WEBHOOK_URL_LENGTH - base.length + 1), PRODUCTION)).toMatchObject({ allowed: false, refusal: 'too-long' });
    // Within the bound as written, beyond it once normalised (each space becomes %20).
    expect(webhookUrlVerdict(base + ' x'.repeat(900), PRODUCTION)).toMatchObject({ allowed: false, refusal: 'too-long' });
  });

  it.each<[string, AddressRange]>([
    ['https://169.254.169.254/latest/meta-data/', 'metadata'],
    ['https://[fd00:ec2::254]/', 'metadata'],
    ['https://[fe80::1]/', 'linkLocal'],
    ['https://100.64.0.1/', 'carrierGradeNat'],
    ['https://0.0.0.0/', 'unspecified'],
    ['https://[::]/', 'unspecified'],
    ['https://10.0.0.1/', 'private'],
    ['https://[fd00::1]/', 'uniqueLocal'],
    ['https://224.0.0.1/', 'multicast'],
    ['https://[::ffff:10.0.0.1]/', 'private'],
    ['https://[::ffff:169.254.169.254]/', 'metadata'],
  ])('refuses %s: %s', (url, range) => {
    expect(webhookUrlVerdict(url, DEVELOPMENT)).toMatchObject({ allowed: false, refusal: 'address', range });
  });

  it('checks the host as normalised: http://[::ffff:127.0.0.1], 0x7f.1 and 2130706433 are loopback', () => {
    for (const url of ['http://[::ffff:127.0.0.1]/', 'http://0x7f.1/', 'http://2130706433/', 'http://127.1/', 'http://0177.0.0.1/', 'http://127.0.0.1./']) {
      const verdict = webhookUrlVerdict(url, PRODUCTION);
      expect(verdict).toMatchObject({ allowed: false, refusal: 'address', range: 'loopback' });
      expect(!verdict.allowed && verdict.reason).toMatch(/^"(127\.0\.0\.1|::ffff:7f00:1)" is in the loopback range/);
      expect(webhookUrlVerdict(url, DEVELOPMENT)).toMatchObject({ allowed: true });
    }
    expect(webhookUrlVerdict('https://0xa9.0xfe.0xa9.0xfe/', DEVELOPMENT)).toMatchObject({ allowed: false, range: 'metadata' });
    expect(webhookUrlVerdict('https://2852039166/', DEVELOPMENT)).toMatchObject({ allowed: false, range: 'metadata' });
  });

  it('gives the decimal and hexadecimal forms of an IPv4 host the verdict of its dotted form', () => {
    fc.assert(
      fc.property(octets, fc.boolean(), (parts, allowLoopback) => {
        const options = { allowLoopback };
        const expected = webhookUrlVerdict(`https://${dotted(parts)}/`, options);
        expect(expected.allowed).toBe(addressVerdict(dotted(parts), options).allowed);
        expect(webhookUrlVerdict(`https://${asInteger(parts)}/`, options)).toEqual(expected);
        expect(webhookUrlVerdict(`https://0x${asInteger(parts).toString(16)}/`, options)).toEqual(expected);
      }),
    );
  });
});
