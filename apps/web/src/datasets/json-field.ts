/** What a JSON text field must hold. */
export type JsonFieldKind =
  /** A JSON object (an item's input). */
  | 'object'
  /** A JSON object, or nothing (metadata: empty is `{}`). */
  | 'optional-object'
  /** Any JSON value, or nothing (expected output: empty is none, `null`). */
  | 'optional-value';

/** The value of a JSON field, or what is wrong with its text. */
export type JsonFieldResult = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * Reads a JSON text field of the item form, saying what is wrong in words a person can act on
 * (where the syntax breaks, which kind of value was expected).
 *
 * @example
 * parseJsonField('{"ticket": "Hi"}', 'object'); // { ok: true, value: { ticket: 'Hi' } }
 * parseJsonField('[1]', 'object'); // { ok: false, message: 'Must be a JSON object ({ … }), not an array.' }
 */
export function parseJsonField(text: string, kind: JsonFieldKind): JsonFieldResult {
  if (text.trim() === '') {
    if (kind === 'object') return { ok: false, message: 'Enter a JSON object, e.g. {"question": "…"}.' };
    return { ok: true, value: kind === 'optional-object' ? {} : null };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `Not valid JSON: ${describeSyntaxError(text, error)}` };
  }
  if (kind !== 'optional-value' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    return { ok: false, message: `Must be a JSON object ({ … }), not ${kindOf(value)}.` };
  }
  return { ok: true, value };
}

/** A value as the form shows it: indented JSON, and nothing for what the field treats as empty. */
export function formatJsonField(value: unknown, kind: JsonFieldKind): string {
  if (kind === 'optional-value' && (value === null || value === undefined)) return '';
  if (kind === 'optional-object' && isEmptyObject(value)) return '';
  return JSON.stringify(value ?? {}, null, 2);
}

function isEmptyObject(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0
  );
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  return 'a boolean';
}

/** The parser's message, with the line and column when it gives a position. */
function describeSyntaxError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(message)?.[1];
  if (position === undefined) return message;
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  const reason = message
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/\s*\(line \d+ column \d+\)$/, '');
  return `${reason} (line ${line}, column ${column}).`;
}
