import secureJsonParse from 'secure-json-parse';
import { emptyJsonBody, invalidJsonBody } from './rest-errors.js';

const forbidden = { protoAction: 'error', constructorAction: 'error' } as const;

/**
 * Parses a request body's JSON text as `secure-json-parse` does (a leading byte-order mark is
 * dropped; `__proto__` keys, and `constructor` keys holding a `prototype`, throw), and throws a
 * `SyntaxError` for text that is not JSON.
 *
 * `secure-json-parse` tests the whole text with two regular expressions before it walks the
 * parsed value. For ingestion's 100 KB batches that was ~2 µs per span, 7 % of the request
 * thread (bench/ingest, --cpu-prof). A match of either needs the key spelled out (`__proto__`,
 * `constructor`) or written with a `\u` escape, so text with none of the three is returned as
 * parsed, and any other text goes through the full check.
 */
export function parseJsonText(text: string): unknown {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // Decided before parsing, so text that needs the check (any body from a client that escapes
  // non-ASCII, as Python's json.dumps does by default) is still parsed once.
  if (source.includes('\\u') || source.includes('__proto__') || source.includes('constructor'))
    return secureJsonParse(source, null, forbidden);
  return JSON.parse(source);
}

/**
 * A request body's JSON as the API answers it, for the app's JSON parser and the routes served
 * on the raw server alike: empty, malformed, or with a forbidden key, it throws `invalid_json`.
 */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) throw emptyJsonBody();
  try {
    return parseJsonText(text);
  } catch {
    throw invalidJsonBody();
  }
}
