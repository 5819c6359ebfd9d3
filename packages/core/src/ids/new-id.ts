const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A random, URL-safe identifier with a type prefix, e.g. `proj_3k9x…`. 80 bits of randomness
 * from the platform CSPRNG (Web Crypto, present in Node and browsers).
 *
 * @example
 * newId('proj') // 'proj_8c1m0q4t2v7x9b3d'
 */
export function newId(prefix: string): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  let body = '';
  for (const byte of bytes) body += alphabet[byte & 31];
  return `${prefix}_${body}`;
}
