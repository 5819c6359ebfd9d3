import { isIP } from 'node:net';
import { FlywheelError } from '@flywheel/spec';

/** Which otherwise refused hosts an outbound URL may point at. */
export interface UrlPolicy {
  /**
   * Hosts admitted even though they are loopback, private or otherwise refused, as `host` or
   * `host:port` (`localhost:11434`, `127.0.0.1`, `ollama.internal`, `[::1]:8080`). Compared
   * case-insensitively; a bare host admits every port. Filled from `FLYWHEEL_ALLOWED_HOSTS`.
   */
  allowedHosts: readonly string[];
}

const allowedSchemes = new Set(['http:', 'https:']);

// Cloud metadata services answer on these names from inside an instance; they hand out
// credentials, so a provider URL must never reach them.
const metadataHostNames = new Set([
  'metadata',
  'metadata.google.internal',
  'instance-data',
  'instance-data.ec2.internal',
]);

const fixHint =
  'If this host is meant to be reachable (a local Ollama, say), add it to FLYWHEEL_ALLOWED_HOSTS.';

/**
 * Checks a URL a caller wants Flywheel to send requests to (a provider base URL, a webhook)
 * and returns it parsed. Only `http:` and `https:` without credentials are accepted, and
 * loopback, private, link-local, metadata and other internal hosts are refused unless
 * `policy.allowedHosts` lists them. Call it when the URL is saved and again before each use;
 * DNS names are checked per connection by {@link createGuardedLookup}.
 *
 * IPv4 in decimal, hex, octal or short form (`http://2130706433/`, `http://0x7f000001/`,
 * `http://0177.0.0.1/`, `http://127.1/`) needs no special handling: the WHATWG URL parser
 * rewrites all of them to a dotted quad before the host is judged.
 *
 * @throws FlywheelError `unsafe_url` saying what is wrong and how to allow it.
 * @example
 * const baseUrl = checkOutboundUrl('http://localhost:11434/v1', { allowedHosts: ['localhost:11434'] });
 */
export function checkOutboundUrl(url: string, policy: UrlPolicy): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FlywheelError(
      'unsafe_url',
      'The URL is not a valid absolute URL. Give the full address, such as https://api.example.com/v1.',
    );
  }
  if (!allowedSchemes.has(parsed.protocol)) {
    throw new FlywheelError(
      'unsafe_url',
      `The URL scheme '${parsed.protocol}' is not allowed. Use an http:// or https:// URL.`,
    );
  }
  if (parsed.username !== '' || parsed.password !== '') {
    // Credentials in a URL end up in logs and traces; providers take keys in headers instead.
    throw new FlywheelError(
      'unsafe_url',
      'The URL contains a user name or password. Remove them from the URL and store the key as the provider API key instead.',
    );
  }
  const hostname = parsed.hostname;
  const refusal = describeRefusedHost(hostname);
  if (refusal !== undefined && !isAllowlistedHost(policy, hostname, effectivePort(parsed))) {
    throw new FlywheelError('unsafe_url', `The URL host ${parsed.host} is ${refusal}. ${fixHint}`);
  }
  return parsed;
}

/**
 * Whether an IP address is one an outbound request must not reach unless allowlisted:
 * loopback, unspecified, private, carrier-grade NAT, link-local (including the
 * 169.254.169.254 metadata service), unique-local, multicast, reserved, benchmarking and
 * IETF protocol ranges. IPv6 forms that carry an IPv4 address (`::ffff:127.0.0.1`,
 * `::ffff:7f00:1`, IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are
 * judged by that IPv4 address. Documentation ranges are left allowed.
 *
 * Anything that is not an IP literal counts as disallowed, so passing a host name by mistake
 * fails closed.
 *
 * @example
 * isDisallowedAddress('::ffff:7f00:1'); // true: it is 127.0.0.1
 * isDisallowedAddress('8.8.8.8'); // false
 */
export function isDisallowedAddress(address: string): boolean {
  const bare = stripBracketsAndZone(address);
  const version = isIP(bare);
  if (version === 4) return isDisallowedIpv4(parseIpv4(bare));
  if (version === 6) {
    const groups = parseIpv6(bare);
    return groups === undefined || isDisallowedIpv6(groups);
  }
  return true;
}

/**
 * Whether `policy.allowedHosts` admits `hostname` (as the URL parser or DNS sees it). With
 * `port` undefined, as when only the host is known at DNS lookup time, an entry with a port
 * admits its host too; ports are enforced by {@link checkOutboundUrl}.
 */
export function isAllowlistedHost(policy: UrlPolicy, hostname: string, port?: number): boolean {
  const host = normaliseHost(hostname);
  if (host === undefined) return false;
  return policy.allowedHosts.some((text) => {
    const entry = parseAllowedHost(text);
    if (entry === undefined || entry.host !== host) return false;
    return entry.port === undefined || port === undefined || entry.port === port;
  });
}

/** Why a host is refused before any allowlist is consulted, or undefined when it is not. */
function describeRefusedHost(hostname: string): string | undefined {
  const bare = stripBracketsAndZone(hostname);
  if (isIP(bare) !== 0) {
    return isDisallowedAddress(bare) ? 'a loopback, private, link-local or reserved address' : undefined;
  }
  const name = stripTrailingDot(hostname);
  if (name === 'localhost' || name.endsWith('.localhost')) return 'a loopback name';
  if (metadataHostNames.has(name)) return 'a cloud metadata service';
  return undefined;
}

function effectivePort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

interface AllowedHost {
  host: string;
  port: number | undefined;
}

function parseAllowedHost(text: string): AllowedHost | undefined {
  const entry = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(entry);
  if (bracketed !== null) return toAllowedHost(`[${bracketed[1]}]`, bracketed[2]);
  // A bare IPv6 literal has several colons and no port.
  if (isIP(entry) === 6) return toAllowedHost(`[${entry}]`, undefined);
  // Only host characters: `a@127.0.0.1` would otherwise parse as 127.0.0.1 and admit it unnoticed.
  const plain = /^([^:/@?#\s[\]\\]+)(?::(\d{1,5}))?$/.exec(entry);
  if (plain === null) return undefined;
  return toAllowedHost(plain[1] ?? '', plain[2]);
}

function toAllowedHost(rawHost: string, rawPort: string | undefined): AllowedHost | undefined {
  const host = normaliseHost(rawHost);
  if (host === undefined) return undefined;
  return { host, port: rawPort === undefined ? undefined : Number(rawPort) };
}

/**
 * Puts a host into the form the URL parser produces (lower case, dotted-quad IPv4, compressed
 * bracketed IPv6, punycode), so `127.1` in the allowlist matches `http://127.0.0.1/`.
 */
function normaliseHost(host: string): string | undefined {
  const bracketed = isIP(host) === 6 ? `[${host}]` : host;
  try {
    return stripTrailingDot(new URL(`http://${bracketed}/`).hostname);
  } catch {
    return undefined;
  }
}

function stripTrailingDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

function stripBracketsAndZone(address: string): string {
  const unbracketed = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const zone = unbracketed.indexOf('%');
  return zone === -1 ? unbracketed : unbracketed.slice(0, zone);
}

/** A dotted-quad IPv4 address (already validated by `isIP`) as an unsigned 32-bit number. */
function parseIpv4(address: string): number {
  return address.split('.').reduce((value, part) => value * 256 + Number(part), 0);
}

// [network, prefix length] pairs of IPv4 ranges a request must not reach.
const disallowedIpv4Ranges: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network", including the unspecified address
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, including the 169.254.169.254 metadata service
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, including broadcast
];

const disallowedIpv4Masks = disallowedIpv4Ranges.map(([network, prefix]) => {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { network: parseIpv4(network), mask };
});

function isDisallowedIpv4(address: number): boolean {
  return disallowedIpv4Masks.some(({ network, mask }) => (address & mask) >>> 0 === network);
}

/**
 * The eight 16-bit groups of an IPv6 address (already validated by `isIP`), expanding `::`
 * and a trailing dotted-quad IPv4 part.
 */
function parseIpv6(address: string): number[] | undefined {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const head = parseIpv6Groups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseIpv6Groups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

function parseIpv6Groups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  const parts = text.split(':');
  for (const [index, part] of parts.entries()) {
    if (index === parts.length - 1 && part.includes('.')) {
      if (isIP(part) !== 4) return undefined;
      const value = parseIpv4(part);
      groups.push(Math.floor(value / 0x10000), value % 0x10000);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
      groups.push(Number.parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

function isDisallowedIpv6(groups: readonly number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const lastIpv4 = g6 * 0x10000 + g7;
  const firstFiveZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  // ::/96 (IPv4-compatible, also covers :: and ::1 as 0.0.0.0 and 0.0.0.1) and ::ffff:0:0/96 (mapped).
  if (firstFiveZero && (g5 === 0 || g5 === 0xffff)) return isDisallowedIpv4(lastIpv4);
  // ::ffff:0:0:0/96, IPv4-translated addresses.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) {
    return isDisallowedIpv4(lastIpv4);
  }
  // 64:ff9b::/96 (NAT64) and 64:ff9b:1::/48 (local-use NAT64) reach the embedded IPv4 address.
  if (g0 === 0x64 && g1 === 0xff9b && (g2 === 0 || g2 === 1)) return isDisallowedIpv4(lastIpv4);
  // 2002::/16 (6to4) routes to the IPv4 address in its next 32 bits.
  if (g0 === 0x2002) return isDisallowedIpv4(g1 * 0x10000 + g2);
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return true; // 100::/64 discard-only
  if ((g0 & 0xfe00) === 0xfc00) return true; // fc00::/7 unique-local
  if ((g0 & 0xffc0) === 0xfe80) return true; // fe80::/10 link-local
  if ((g0 & 0xffc0) === 0xfec0) return true; // fec0::/10 deprecated site-local
  if ((g0 & 0xff00) === 0xff00) return true; // ff00::/8 multicast
  return false;
}
