/** A payload as stored: whole up to the cap (UTF-8 bytes of its JSON), else a flagged preview. */
export function capPayload(value: unknown, maxBytes: number): { value: unknown; truncated: boolean } {
  if (value === undefined || value === null) return { value: null, truncated: false };
  // Most payloads are far below the cap: a bound found by walking the value spares writing its
  // JSON (that JSON.stringify was ~8 % of the request thread of OTLP ingestion, bench/ingest).
  if (jsonBytesAtMost(value, maxBytes) <= maxBytes) return { value, truncated: false };
  const text = JSON.stringify(value);
  // Three bytes per UTF-16 unit is the most UTF-8 can take, so short payloads skip the encoding.
  if (text === undefined || text.length * 3 <= maxBytes) return { value, truncated: false };
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= maxBytes) return { value, truncated: false };
  const preview = new TextDecoder().decode(bytes.subarray(0, maxBytes)).replace(/\uFFFD$/, '');
  return { value: { truncated: true, preview }, truncated: true };
}

/**
 * An upper bound of the UTF-8 bytes of `value`'s JSON, or `Infinity` past `limit` or for anything
 * but plain data (strings, finite numbers, booleans, null, arrays and plain objects of them). A
 * string's UTF-16 unit takes at most six bytes in JSON (`\u001f`), a number at most 24.
 */
export function jsonBytesAtMost(value: unknown, limit: number): number {
  let total = 0;
  const visit = (item: unknown): boolean => {
    if (typeof item === 'string') total += 2 + item.length * 6;
    else if (typeof item === 'number' || typeof item === 'boolean' || item === null) total += 24;
    else if (Array.isArray(item)) {
      total += 2 + item.length;
      for (const element of item) if (!visit(element)) return false;
    } else if (typeof item === 'object' && Object.getPrototypeOf(item) === Object.prototype) {
      total += 2;
      for (const key in item) {
        total += 4 + key.length * 6;
        if (!visit((item as Record<string, unknown>)[key])) return false;
      }
    } else return false;
    return total <= limit;
  };
  return visit(value) ? total : Number.POSITIVE_INFINITY;
}
