import ipaddr from 'ipaddr.js';

/**
 * The SSRF guard: a merchant names the URL our webhooks go to, so without it a merchant could
 * make us call our own network — a database's admin port, the cloud's metadata service (which
 * hands out credentials), a router. Only public unicast addresses are reachable, loopback only
 * when a developer's machine explicitly allows it.
 */

/**
 * A range name of ipaddr.js (2.5.0) after an IPv4-mapped IPv6 address is unwrapped (so never
 * `ipv4Mapped`), its IPv6 ranges that its typings leave out, plus `metadata` and `invalid`.
 */
export type AddressRange =
  | Exclude<ReturnType<ipaddr.IPv4['range']> | ReturnType<ipaddr.IPv6['range']>, 'ipv4Mapped'>
  | 'deprecatedSiteLocal'
  | 'discard'
  | 'deprecatedOrchid'
  | 'segmentRouting'
  | 'metadata'
  | 'invalid';

export type AddressVerdict =
  | { readonly allowed: true; readonly range: 'unicast' | 'loopback' }
  | { readonly allowed: false; readonly range: AddressRange; readonly reason: string };

export interface OutboundOptions {
  /** Local development only: a webhook to a receiver on the same machine. Never in production. */
  readonly allowLoopback: boolean;
}

/** Longer than any IPv6 address with a zone id: not an address, and not echoed in full. */
const MAX_ADDRESS_LENGTH = 64;

/**
 * The instance metadata services of AWS (and GCP, Azure: the same IPv4), AWS ECS tasks, AWS over
 * IPv6, Alibaba Cloud. Named apart from their ranges (link-local, unique-local, carrier-grade NAT)
 * because reaching one is not a misconfiguration but an attempt to steal credentials.
 */
const METADATA_ADDRESSES = ['169.254.169.254', '169.254.170.2', 'fd00:ec2::254', '100.100.100.200'].map((address) => ipaddr.parse(address));

/** Every IPv6 address the IANA has allocated for global unicast is in 2000::/3. */
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

/**
 * Dotted-decimal IPv4 or IPv6, nothing else. ipaddr.js (like inet_aton) also reads `0x7f.1`,
 * `2130706433` and `010.0.0.1` (octal): here those are `invalid`, because a resolver never returns
 * them and a URL's host has been normalised to dotted decimal before it gets here — an address in
 * such a form comes from someone trying to slip past a check.
 */
function parseAddress(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ip.length > MAX_ADDRESS_LENGTH) return undefined;
  if (ipaddr.IPv4.isValidFourPartDecimal(ip)) return ipaddr.IPv4.parse(ip);
  if (ipaddr.IPv6.isValid(ip)) return ipaddr.IPv6.parse(ip);
  return undefined;
}

function isMetadata(address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  const bits = address.kind() === 'ipv4' ? 32 : 128;
  return METADATA_ADDRESSES.some((metadata) => metadata.kind() === address.kind() && address.match(metadata, bits));
}

/**
 * The range an address is in. `::ffff:10.0.0.1` is the IPv4 address 10.0.0.1 to the kernel, so
 * it is classified as that: `private`, not `ipv4Mapped`.
 */
export function classifyAddress(ip: string): AddressRange {
  const parsed = parseAddress(ip);
  if (parsed === undefined) return 'invalid';
  const address = parsed instanceof ipaddr.IPv6 && parsed.isIPv4MappedAddress() ? parsed.toIPv4Address() : parsed;
  if (isMetadata(address)) return 'metadata';
  const range = address.range() as AddressRange;
  // ipaddr.js calls unicast whatever none of its ranges holds: `::7f00:1` (IPv4-compatible,
  // deprecated, tunnelled to 127.0.0.1 by some kernels) too. Outside 2000::/3 nothing is allocated.
  if (address instanceof ipaddr.IPv6 && range === 'unicast' && !address.match(GLOBAL_UNICAST_V6)) return 'reserved';
  return range;
}

/**
 * Whether we may connect to an address: public unicast, and loopback when allowed; everything
 * else (private, link-local, unique-local, carrier-grade NAT, unspecified, broadcast, multicast,
 * reserved, metadata, the 6to4/Teredo/NAT64 translation ranges, not an address) is refused.
 * Applied twice: to a literal host when a URL is registered, and to every address DNS returns at
 * connect time (the service's `lookup`), because a name may resolve elsewhere on every lookup.
 */
export function addressVerdict(ip: string, options: OutboundOptions): AddressVerdict {
  const range = classifyAddress(ip);
  if (range === 'unicast' || (range === 'loopback' && options.allowLoopback)) return { allowed: true, range };
  const shown = JSON.stringify(ip.slice(0, MAX_ADDRESS_LENGTH));
  const reason = range === 'invalid' ? `${shown} is not an IP address` : `${shown} is in the ${range} range, not a public unicast address`;
  return { allowed: false, range, reason };
}

/** A longer URL is not an endpoint but a payload (browsers and CDNs stop near here too). */
export const MAX_WEBHOOK_URL_LENGTH = 2_048;

export type UrlRefusal = 'too-long' | 'not-a-url' | 'scheme' | 'credentials' | 'fragment' | 'address';

export type WebhookUrlVerdict =
  | { readonly allowed: true; readonly href: string; readonly hostname: string }
  | { readonly allowed: false; readonly refusal: UrlRefusal; readonly reason: string; readonly range?: AddressRange };

function refused(refusal: UrlRefusal, reason: string, range?: AddressRange): WebhookUrlVerdict {
  return { allowed: false, refusal, reason, ...(range === undefined ? {} : { range }) };
}

/** The address in a URL's host, if the host is one: `[::1]` unbracketed; IPv4 is dotted decimal by then. */
function literalAddress(hostname: string): string | undefined {
  if (hostname.startsWith('[') && hostname.endsWith(']')) return hostname.slice(1, -1);
  return ipaddr.IPv4.isValidFourPartDecimal(hostname) ? hostname : undefined;
}

/** `localhost` and its subdomains always name the loopback interface (RFC 6761), with or without the root dot. */
function isLoopbackName(hostname: string): boolean {
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * Whether a merchant may register a webhook URL, from the URL alone (a name is checked again, by
 * address, at every connect). The URL is read as a browser does (WHATWG), so `0x7f.1`,
 * `2130706433` and `127.1` are the host 127.0.0.1 by the time it is checked. https only; plain
 * http only to a loopback host when loopback is allowed. No credentials (they would be sent to
 * whoever the host is, and logged with the URL), no fragment (never sent: a sign of a mistake).
 */
export function webhookUrlVerdict(url: string, options: OutboundOptions): WebhookUrlVerdict {
  if (url.length > MAX_WEBHOOK_URL_LENGTH) return refused('too-long', `a webhook URL is at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
  const parsed = URL.parse(url);
  if (parsed === null) return refused('not-a-url', 'not an absolute URL');
  if (parsed.href.length > MAX_WEBHOOK_URL_LENGTH) return refused('too-long', `a webhook URL is at most ${MAX_WEBHOOK_URL_LENGTH} characters, normalised`);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return refused('scheme', `${parsed.protocol} is not https`);
  if (parsed.username !== '' || parsed.password !== '') return refused('credentials', 'a webhook URL carries no user name or password');
  // An empty fragment (`/#`) leaves `hash` empty but is still in the URL.
  if (parsed.href.includes('#')) return refused('fragment', 'a webhook URL has no fragment');
  const { hostname } = parsed;
  const address = literalAddress(hostname);
  let loopback = false;
  if (address !== undefined) {
    const verdict = addressVerdict(address, options);
    if (!verdict.allowed) return refused('address', verdict.reason, verdict.range);
    loopback = verdict.range === 'loopback';
  } else if (isLoopbackName(hostname)) {
    if (!options.allowLoopback) return refused('address', `${hostname} is in the loopback range, not a public unicast address`, 'loopback');
    loopback = true;
  }
  if (parsed.protocol === 'http:' && !loopback) return refused('scheme', 'http: is not https (plain http only to a loopback host, when loopback is allowed)');
  return { allowed: true, href: parsed.href, hostname };
}
