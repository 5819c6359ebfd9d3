import { FlywheelError, parseTemplate, renderTemplate } from '@flywheel/spec';
import type { AssertionConfig, AssertionResult } from './assertion.js';

/**
 * Most characters of an output that pattern-based assertions (`regex`, `contains-json`) look at.
 * JavaScript regular expressions backtrack and cannot be interrupted, so a pathological pattern
 * such as `(a+)+$` can take exponential time; capping the text bounds the damage from long
 * outputs (it does not make every pattern safe, so patterns come from suite authors, not users).
 */
export const maxCheckedOutputChars = 100_000;

/** A value made ready for evaluation, or the errored result explaining why it could not be. */
export type Prepared<T> = { ok: true; value: T } | { ok: false; result: AssertionResult };

/** A scored result; `score` defaults to 1 for a pass and 0 for a fail. */
export function scored(pass: boolean, reason: string, score: number = pass ? 1 : 0): AssertionResult {
  return { status: 'scored', pass, score, reason };
}

/** A skipped result. */
export function skipped(reason: string): AssertionResult {
  return { status: 'skipped', reason };
}

/** An errored result with a stable code. */
export function errored(code: string, message: string): AssertionResult {
  return { status: 'errored', error: { code, message } };
}

/** An errored result for a value that turned out unusable once rendered. */
export function invalidValue(message: string): Prepared<never> {
  return { ok: false, result: errored('assertion_value_invalid', message) };
}

/** A string, or a finite number (used as its decimal text), as promptfoo accepts for text values. */
export function isTextValue(value: unknown): value is string | number {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** Names the JSON-ish kind of a value for error messages: `an array`, `null`, `a number`… */
export function describeKind(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (value === '') return 'an empty string';
  if (Array.isArray(value)) return 'an array';
  const kind = typeof value;
  return kind === 'object' || kind === 'undefined' ? `an ${kind}` : `a ${kind}`;
}

/** Quotes text for a reason, shortened so a long value does not flood the report. */
export function quote(text: string, maxChars = 120): string {
  const shown = text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
  return JSON.stringify(shown);
}

/**
 * Checks that a string value parses as a template (when it uses `{{`); returns the problem or
 * `undefined`. Variables cannot be checked at load: they come from each case's vars.
 */
export function templateProblem(text: string, what = 'value'): string | undefined {
  if (!text.includes('{{')) return undefined;
  const parsed = parseTemplate(text);
  if (parsed.ok) return undefined;
  const [first] = parsed.issues;
  return `${what} is not a valid template at line ${first!.line}, column ${first!.column}: ${first!.message} (write \\{{ for a literal {{)`;
}

/**
 * Renders `{{var}}` templates of a string value with the case's vars, strictly: a missing
 * variable is an error naming it, never an empty string.
 */
export function renderText(text: string, vars: Record<string, unknown>, what = 'value'): Prepared<string> {
  // Without `{{` a template renders as itself; skipping the parse keeps long plain values cheap.
  if (!text.includes('{{')) return { ok: true, value: text };
  try {
    return { ok: true, value: renderTemplate(text, vars, { lenient: false }) };
  } catch (error) {
    if (!FlywheelError.is(error)) throw error;
    if (error.code === 'template_variables_missing') {
      const details = error.details as { missing?: unknown } | undefined;
      const missing = Array.isArray(details?.missing) ? details.missing.join(', ') : error.message;
      return {
        ok: false,
        result: errored(error.code, `${what} uses variables the case's vars do not have: ${missing}`),
      };
    }
    return { ok: false, result: errored(error.code, `${what}: ${error.message}`) };
  }
}

/** Renders a text value (string or number) into the string to compare with. */
export function renderTextValue(value: string | number, vars: Record<string, unknown>): Prepared<string> {
  return typeof value === 'number' ? { ok: true, value: String(value) } : renderText(value, vars);
}

/**
 * Splits promptfoo's comma-separated list form (`a, b, "c, with comma"`): fields are trimmed,
 * empty fields dropped, and a double-quoted field may hold commas (`\"` or `""` for a quote).
 */
export function splitCommaSeparated(
  text: string,
): { ok: true; items: string[] } | { ok: false; message: string } {
  const items: string[] = [];
  let index = 0;
  while (index < text.length) {
    while (index < text.length && (text[index] === ',' || /\s/.test(text[index]!))) index++;
    if (index >= text.length) break;
    if (text[index] !== '"') {
      const end = text.indexOf(',', index);
      const stop = end === -1 ? text.length : end;
      items.push(text.slice(index, stop).trim());
      index = stop;
      continue;
    }
    let field = '';
    let closed = false;
    index++;
    while (index < text.length) {
      const character = text[index]!;
      const next = text[index + 1];
      if ((character === '\\' && (next === '"' || next === '\\')) || (character === '"' && next === '"')) {
        field += next;
        index += 2;
      } else if (character === '"') {
        closed = true;
        index++;
        break;
      } else {
        field += character;
        index++;
      }
    }
    if (!closed) return { ok: false, message: 'value has an unterminated quoted item' };
    while (index < text.length && /\s/.test(text[index]!)) index++;
    if (index < text.length && text[index] !== ',') {
      return { ok: false, message: 'value needs a comma after each quoted item' };
    }
    items.push(field);
  }
  return { ok: true, items };
}

/** Options of {@link thresholdProblem}. */
export interface ThresholdRule {
  /** What the threshold means, for messages (`maximum edit distance`, `milliseconds`). */
  meaning: string;
  /** The type cannot work without a threshold. */
  required?: boolean;
  /** Only whole numbers make sense (an edit distance). */
  integer?: boolean;
  /** Lowest allowed threshold (default 0). */
  minimum?: number;
  /** Highest allowed threshold, when bounded (a score's 1). */
  maximum?: number;
}

/** Checks `threshold` against a type's rule; returns the problem or `undefined`. */
export function thresholdProblem(config: AssertionConfig, rule: ThresholdRule): string | undefined {
  const { threshold } = config;
  if (threshold === undefined) {
    return rule.required ? `threshold is required (the ${rule.meaning})` : undefined;
  }
  const minimum = rule.minimum ?? 0;
  const bounds = rule.maximum === undefined ? `>= ${minimum}` : `between ${minimum} and ${rule.maximum}`;
  const kind = rule.integer ? 'an integer' : 'a number';
  if (
    typeof threshold !== 'number' ||
    !Number.isFinite(threshold) ||
    (rule.integer && !Number.isInteger(threshold)) ||
    threshold < minimum ||
    (rule.maximum !== undefined && threshold > rule.maximum)
  ) {
    return `threshold (the ${rule.meaning}) must be ${kind} ${bounds}, got ${JSON.stringify(threshold)}`;
  }
  return undefined;
}
