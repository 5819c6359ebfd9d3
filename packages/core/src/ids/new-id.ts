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

/** The last time prefix made, and the millisecond it encodes (most ids share the previous one). */
let lastMs = -1;
let lastTime = '';

/** Milliseconds since 1970 in 10 base-32 characters (50 bits: good until the year 37,000). */
function timePrefix(ms: number): string {
  if (ms === lastMs) return lastTime;
  let rest = ms;
  let text = '';
  for (let index = 0; index < 10; index++) {
    text = alphabet[rest % 32] + text;
    rest = Math.floor(rest / 32);
  }
  lastMs = ms;
  lastTime = text;
  return text;
}

/**
 * A URL-safe identifier with a type prefix, e.g. `span_01kq3…`: the creation time (milliseconds,
 * 10 base-32 characters, so ids sort by when they were made) then 80 bits of randomness from the
 * platform CSPRNG (Web Crypto, present in Node and browsers), 16 more characters — the layout of
 * a ULID, in lowercase.
 *
 * Time first because ids are primary keys: the trace writer inserts a gateway call's trace and
 * span into b-tree indexes on (project, id), and random ids land on a different page of each index
 * every time. Once the indexes outgrow SQLite's page cache, every insert read a page and every
 * commit wrote back hundreds of scattered ones; ids made in the same millisecond share a page.
 * Writer CPU per gateway call on a database of 330,000 spans: 97 µs with random ids, 61 µs with
 * these (docs/decisions/0012-time-ordered-ids.md).
 *
 * @example
 * newId('proj') // 'proj_01kq3v8c1m0q4t2v7x9b3dkq2s'
 */
export function newId(prefix: string): string {
  const bytes = randomBytes(16);
  let body = timePrefix(Date.now());
  for (const byte of bytes) body += alphabet[byte & 31];
  return `${prefix}_${body}`;
}
