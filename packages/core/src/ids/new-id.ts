const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

// Random bytes are drawn from the platform CSPRNG in blocks: one call per 256 ids instead of one
// per id (each call crosses into the runtime, and the gateway makes ids on every request).
const poolSize = 4096;
let pool = new Uint8Array(0);
let offset = 0;

function randomBytes(count: number): Uint8Array {
  if (offset + count > pool.length) {
    pool = globalThis.crypto.getRandomValues(new Uint8Array(poolSize));
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + count);
  offset += count;
  return bytes;
}

/**
 * A random, URL-safe identifier with a type prefix, e.g. `proj_3k9x…`. 80 bits of randomness
 * from the platform CSPRNG (Web Crypto, present in Node and browsers).
 *
 * @example
 * newId('proj') // 'proj_8c1m0q4t2v7x9b3d'
 */
export function newId(prefix: string): string {
  const bytes = randomBytes(16);
  let body = '';
  for (const byte of bytes) body += alphabet[byte & 31];
  return `${prefix}_${body}`;
}
