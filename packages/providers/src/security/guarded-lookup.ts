import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isAllowlistedHost, isDisallowedAddress, type UrlPolicy } from './url-guard.js';

/**
 * A resolver with the `all: true` form of `dns.lookup`. `dns.lookup` itself fits; tests pass a
 * function that answers from a table so no real DNS is needed.
 */
export type AddressLookup = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * The error a guarded lookup fails a connection with when a host resolves to a disallowed
 * address. Its `code` is `ERR_UNSAFE_ADDRESS`; the transport maps it to `unsafe_url`.
 */
export class UnsafeAddressError extends Error {
  /** Always `ERR_UNSAFE_ADDRESS`, in the style of Node's network error codes. */
  readonly code = 'ERR_UNSAFE_ADDRESS';
  /** The host name that was looked up. */
  readonly hostname: string;
  /** The disallowed address it resolved to. */
  readonly address: string;

  constructor(hostname: string, address: string) {
    super(
      `Refused to connect to ${hostname}: it resolves to ${address}, a loopback, private, link-local or reserved address. ` +
        'If this host is meant to be reachable, add it to FLYWHEEL_ALLOWED_HOSTS.',
    );
    this.name = 'UnsafeAddressError';
    this.hostname = hostname;
    this.address = address;
  }
}

/**
 * Wraps `dns.lookup` so every connection checks the addresses a host name resolves to: when
 * any of them is disallowed (see {@link isDisallowedAddress}) and the host is not in
 * `policy.allowedHosts`, the connection fails with {@link UnsafeAddressError}. Because it runs
 * on every connect, it also catches names that resolve to a private address only later
 * (DNS rebinding), which a check when the URL is saved cannot see. All addresses are judged,
 * not just the one used, so a name cannot pass with one public and one private answer.
 *
 * Node connects to IP literals without a lookup, so a URL with an IP host must go through
 * {@link checkOutboundUrl} before each request; that check is what judges those.
 *
 * Redirects need no guard here: Flywheel's transport (undici `request`) never follows them,
 * it returns the 3xx to the caller, so a redirect never opens a connection to another host.
 *
 * At lookup time only the host is known, so an allowlist entry `host:port` admits its host on
 * any port here; {@link checkOutboundUrl} enforces the port.
 *
 * @example
 * const agent = new Agent({ connect: { lookup: createGuardedLookup({ allowedHosts: [] }) } });
 */
export function createGuardedLookup(policy: UrlPolicy, lookup: AddressLookup = dnsLookup): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error !== null) {
        callback(error, '');
        return;
      }
      if (!isAllowlistedHost(policy, hostname)) {
        const unsafe = addresses.find((entry) => isDisallowedAddress(entry.address));
        if (unsafe !== undefined) {
          callback(new UnsafeAddressError(hostname, unsafe.address), '');
          return;
        }
      }
      if (options.all === true) {
        callback(null, addresses);
        return;
      }
      const first = addresses[0];
      if (first === undefined) {
        callback(Object.assign(new Error(`${hostname} resolved to no address.`), { code: 'ENOTFOUND' }), '');
        return;
      }
      callback(null, first.address, first.family);
    });
  };
}
