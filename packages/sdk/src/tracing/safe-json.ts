/**
 * `JSON.stringify` that never throws: values JSON cannot hold (cycles, `BigInt`) are replaced
 * rather than failing the whole event, because input and output are whatever the host app
 * passed. `undefined` only when even the replaced value cannot be written.
 *
 * @example
 * const value: Record<string, unknown> = { n: 1n };
 * value.self = value;
 * stringifySafely(value); // '{"n":"1","self":"[Circular]"}'
 */
export function stringifySafely(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    // The slow path runs only for values that failed the fast one.
    try {
      return JSON.stringify(value, replacer());
    } catch {
      return undefined;
    }
  }
}

function replacer() {
  // Ancestors of the value being written: a repeat among them is a cycle; a repeat elsewhere
  // (the same object twice, side by side) is written twice, as JSON.stringify would.
  const ancestors: object[] = [];
  return function (this: unknown, _key: string, value: unknown): unknown {
    if (typeof value === 'bigint') return value.toString();
    if (value === null || typeof value !== 'object') return value;
    while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
    if (ancestors.includes(value)) return '[Circular]';
    ancestors.push(value);
    return value;
  };
}

/** UTF-8 bytes of `text` (what a request body costs), without allocating an encoded copy. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      // A surrogate pair is one 4-byte character.
      bytes += 4;
      index++;
    } else bytes += 3;
  }
  return bytes;
}
