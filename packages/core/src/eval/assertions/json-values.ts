/**
 * Most opening brackets `contains-json` tries before giving up; with the output capped at
 * `maxCheckedOutputChars` this bounds the work to a few million character steps.
 */
export const maxJsonCandidates = 256;

/**
 * Deep equality of JSON values: same primitives, arrays of equal items in order, objects with
 * the same own keys (in any order) and equal values.
 */
export function jsonEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (Array.isArray(left) || Array.isArray(right)) {
    if (!Array.isArray(left) || !Array.isArray(right) || left.length !== right.length) return false;
    return left.every((item, index) => jsonEqual(item, right[index]));
  }
  const leftRecord = left as Record<string, unknown>;
  const rightRecord = right as Record<string, unknown>;
  const leftKeys = Object.keys(leftRecord);
  if (leftKeys.length !== Object.keys(rightRecord).length) return false;
  return leftKeys.every(
    (key) => Object.hasOwn(rightRecord, key) && jsonEqual(leftRecord[key], rightRecord[key]),
  );
}

/** Parses text as JSON, as a value rather than an exception. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Finds the JSON objects and arrays embedded in text (prose around them, a Markdown fence…),
 * left to right and not nested in each other: each `{` or `[` is matched to its closing bracket,
 * skipping JSON strings, and the span is kept when it parses. At most `maxJsonCandidates`
 * opening brackets are tried.
 *
 * @example
 * findJsonValues('Here you go: {"a": [1, 2]} and [3]'); // [{ a: [1, 2] }, [3]]
 */
export function findJsonValues(text: string): unknown[] {
  const found: unknown[] = [];
  let attempts = 0;
  let index = 0;
  while (attempts < maxJsonCandidates) {
    const start = nextOpening(text, index);
    if (start === -1) break;
    attempts++;
    const end = matchingClose(text, start);
    if (end !== -1) {
      const parsed = parseJson(text.slice(start, end + 1));
      if (parsed.ok) {
        found.push(parsed.value);
        index = end + 1;
        continue;
      }
    }
    index = start + 1;
  }
  return found;
}

function nextOpening(text: string, from: number): number {
  for (let index = from; index < text.length; index++) {
    const character = text[index];
    if (character === '{' || character === '[') return index;
  }
  return -1;
}

/** Index of the bracket closing the one at `start`, or -1 when brackets do not balance. */
function matchingClose(text: string, start: number): number {
  const expected: string[] = [];
  let inString = false;
  for (let index = start; index < text.length; index++) {
    const character = text[index];
    if (inString) {
      if (character === '\\') index++;
      else if (character === '"') inString = false;
      continue;
    }
    if (character === '"') inString = true;
    else if (character === '{') expected.push('}');
    else if (character === '[') expected.push(']');
    else if (character === '}' || character === ']') {
      if (expected.pop() !== character) return -1;
      if (expected.length === 0) return index;
    }
  }
  return -1;
}
