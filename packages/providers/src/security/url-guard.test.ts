import { FlywheelError } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import { checkOutboundUrl, isAllowlistedHost, isDisallowedAddress, type UrlPolicy } from './url-guard.js';

const noAllowlist: UrlPolicy = { allowedHosts: [] };

function refusal(url: string, policy: UrlPolicy = noAllowlist): FlywheelError {
  try {
    checkOutboundUrl(url, policy);
  } catch (error) {
    if (FlywheelError.is(error)) return error;
    throw error;
  }
  throw new Error(`expected ${url} to be refused`);
}

describe('checkOutboundUrl', () => {
  it.each([
    ['decimal', 'http://2130706433/'],
    ['hex', 'http://0x7f000001/'],
    ['octal', 'http://0177.0.0.1/'],
    ['short', 'http://127.1/'],
    ['mixed short hex', 'http://0x7f.1/'],
    ['dotted quad', 'http://127.0.0.1:8080/'],
    ['IPv6 loopback', 'http://[::1]/'],
    ['IPv6 loopback in full', 'http://[0:0:0:0:0:0:0:1]/'],
    ['IPv4-mapped IPv6, dotted', 'http://[::ffff:127.0.0.1]/'],
    ['IPv4-mapped IPv6, hex', 'http://[::ffff:7f00:1]/'],
    ['NAT64 IPv6', 'http://[64:ff9b::7f00:1]/'],
    ['unspecified', 'http://0.0.0.0/'],
  ])('refuses loopback written as %s (%s)', (_form, url) => {
    const error = refusal(url);
    expect(error.code).toBe('unsafe_url');
    expect(error.message).toMatch(/loopback, private, link-local or reserved address/);
    expect(error.message).toMatch(/FLYWHEEL_ALLOWED_HOSTS/);
  });

  it.each([
    ['metadata service', 'http://169.254.169.254/latest/meta-data/'],
    ['10/8', 'http://10.1.2.3/'],
    ['172.16/12', 'http://172.16.0.1/'],
    ['172.31 (end of 172.16/12)', 'http://172.31.255.255/'],
    ['192.168/16', 'http://192.168.1.1/'],
    ['CGNAT 100.64/10', 'http://100.64.0.1/'],
    ['unique-local fc00::/7', 'http://[fc00::1]/'],
    ['AWS IPv6 metadata', 'http://[fd00:ec2::254]/'],
    ['link-local fe80::/10', 'http://[fe80::1]/'],
    ['mapped link-local', 'http://[::ffff:169.254.169.254]/'],
  ])('refuses a private or link-local address: %s', (_range, url) => {
    expect(refusal(url).code).toBe('unsafe_url');
  });

  it.each([
    ['file:///etc/passwd'],
    ['gopher://example.com:70/_x'],
    ['ftp://example.com/'],
    ['data:text/plain,hello'],
    ['javascript:alert(1)'],
    ['ws://example.com/'],
  ])('refuses the scheme of %s', (url) => {
    const error = refusal(url);
    expect(error.code).toBe('unsafe_url');
    expect(error.message).toMatch(/scheme .* is not allowed\. Use an http:\/\/ or https:\/\/ URL/);
  });

  it('refuses credentials in the URL without echoing them', () => {
    const error = refusal('http://user:hunter2@example.com/');
    expect(error.message).toMatch(/user name or password/);
    expect(error.message).not.toContain('hunter2');
    expect(refusal('http://user@example.com/').code).toBe('unsafe_url');
  });

  it('refuses text that is not an absolute URL', () => {
    expect(refusal('not a url').message).toMatch(/not a valid absolute URL/);
    expect(refusal('/v1/chat').code).toBe('unsafe_url');
    expect(refusal('http://').code).toBe('unsafe_url');
  });

  it.each([
    ['http://localhost:11434/v1'],
    ['http://LOCALHOST/'],
    ['http://localhost./'],
    ['http://foo.localhost/'],
    ['http://metadata.google.internal/computeMetadata/v1/'],
    ['http://metadata/'],
    ['http://instance-data/latest/'],
  ])('refuses the internal name in %s', (url) => {
    const error = refusal(url);
    expect(error.code).toBe('unsafe_url');
    expect(error.message).toMatch(/FLYWHEEL_ALLOWED_HOSTS/);
  });

  it.each([
    ['https://api.openai.com/v1'],
    ['https://8.8.8.8/'],
    ['http://[2606:4700:4700::1111]/'],
    ['https://ollama.internal:11434/'],
  ])('accepts the public URL %s', (url) => {
    expect(checkOutboundUrl(url, noAllowlist).href).toBe(new URL(url).href);
  });

  it('accepts an allowlisted host on its listed port only', () => {
    const policy: UrlPolicy = { allowedHosts: ['localhost:11434', '127.0.0.1:11434'] };
    expect(checkOutboundUrl('http://localhost:11434/v1', policy).port).toBe('11434');
    expect(checkOutboundUrl('http://127.0.0.1:11434', policy).hostname).toBe('127.0.0.1');
    expect(refusal('http://localhost:9999', policy).code).toBe('unsafe_url');
    expect(refusal('http://127.0.0.1:9999', policy).code).toBe('unsafe_url');
  });

  it('admits every port of a bare allowlisted host, compared case-insensitively', () => {
    const policy: UrlPolicy = { allowedHosts: ['LocalHost', '127.0.0.1'] };
    expect(checkOutboundUrl('http://localhost:9999/', policy).hostname).toBe('localhost');
    expect(checkOutboundUrl('http://127.0.0.1:1/', policy).hostname).toBe('127.0.0.1');
  });

  it('matches an allowlisted address however the URL encodes it', () => {
    const policy: UrlPolicy = { allowedHosts: ['127.0.0.1'] };
    expect(checkOutboundUrl('http://2130706433/', policy).hostname).toBe('127.0.0.1');
    expect(checkOutboundUrl('http://127.1/', policy).hostname).toBe('127.0.0.1');
    // An allowlisted IPv4 address does not admit its IPv6 spellings, which are other hosts to the URL.
    expect(refusal('http://[::ffff:127.0.0.1]/', policy).code).toBe('unsafe_url');
  });

  it('allowlists bracketed IPv6 entries with and without a port', () => {
    expect(checkOutboundUrl('http://[::1]:8080/', { allowedHosts: ['[::1]:8080'] }).port).toBe('8080');
    expect(refusal('http://[::1]:8081/', { allowedHosts: ['[::1]:8080'] }).code).toBe('unsafe_url');
    expect(checkOutboundUrl('http://[::1]:8081/', { allowedHosts: ['::1'] }).port).toBe('8081');
    expect(checkOutboundUrl('http://[0:0:0:0:0:0:0:1]/', { allowedHosts: ['[::1]'] }).hostname).toBe('[::1]');
  });

  it('uses the scheme default port when the URL names none', () => {
    const policy: UrlPolicy = { allowedHosts: ['localhost:80'] };
    expect(checkOutboundUrl('http://localhost/', policy).hostname).toBe('localhost');
    expect(refusal('https://localhost/', policy).code).toBe('unsafe_url');
  });

  it('ignores allowlist entries that are not plain hosts', () => {
    expect(isAllowlistedHost({ allowedHosts: ['evil.example@127.0.0.1'] }, '127.0.0.1')).toBe(false);
    expect(isAllowlistedHost({ allowedHosts: ['http://127.0.0.1/'] }, '127.0.0.1')).toBe(false);
  });
});

describe('isDisallowedAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '0.0.0.0',
    '10.0.0.5',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '100.64.0.1',
    '100.127.255.255',
    '169.254.169.254',
    '192.0.0.8',
    '198.18.0.1',
    '198.19.255.255',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '[::1]',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a00:5',
    '::127.0.0.1',
    '::ffff:0:127.0.0.1',
    '64:ff9b::10.0.0.1',
    '64:ff9b:1::a00:1',
    '2002:7f00:1::1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'febf::1',
    'fec0::1',
    'ff02::1',
    '100::1',
  ])('refuses %s', (address) => {
    expect(isDisallowedAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.15.255.255',
    '172.32.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '169.253.255.255',
    '192.0.2.1',
    '198.17.255.255',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2001:db8::1',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
    'fe00::1',
  ])('allows the public address %s', (address) => {
    expect(isDisallowedAddress(address)).toBe(false);
  });

  it('treats anything that is not an IP literal as disallowed', () => {
    expect(isDisallowedAddress('example.com')).toBe(true);
    expect(isDisallowedAddress('')).toBe(true);
    expect(isDisallowedAddress('127.1')).toBe(true);
  });
});
