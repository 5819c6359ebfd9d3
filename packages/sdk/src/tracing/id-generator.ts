const hexDigits = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * Random lowercase hex ids from the platform's CSPRNG (`crypto.getRandomValues`, in Node 20 and
 * every browser, secure context or not), drawn from a 4 KiB pool: one call per id cost
 * microseconds on the caller's path. Trace ids of 16 bytes and span ids of 8 match W3C trace
 * context, so they can be passed on in a `traceparent` header.
 *
 * @example
 * const randomHex = createIdGenerator();
 * randomHex(16); // '4bf92f3577b34da6a3ce929d0e0e4736'
 */
export function createIdGenerator(): (bytes: number) => string {
  const pool = new Uint8Array(4096);
  let offset = pool.length;
  return (bytes) => {
    if (offset + bytes > pool.length) {
      globalThis.crypto.getRandomValues(pool);
      offset = 0;
    }
    let text = '';
    for (let index = offset; index < offset + bytes; index++) text += hexDigits[pool[index]!];
    offset += bytes;
    return text;
  };
}
