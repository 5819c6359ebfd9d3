import type { AssertionDefinition } from './assertion.js';
import {
  describeKind,
  errored,
  maxCheckedOutputChars,
  quote,
  renderText,
  scored,
  templateProblem,
} from './assertion-value.js';

/** The pattern compiled, or the engine's reason without its `Invalid regular expression: /…/:` preamble. */
function compile(pattern: string): { ok: true; regex: RegExp } | { ok: false; message: string } {
  try {
    return { ok: true, regex: new RegExp(pattern) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, message: message.replace(/^Invalid regular expression: \/[\s\S]*\/[a-z]*: /, '') };
  }
}

/**
 * `regex`: the output matches the value, a JavaScript pattern without flags (as in promptfoo),
 * searched anywhere in the output unless anchored. Write `(?i)`-style options out: `[Pp]aris`.
 *
 * Only the first `maxCheckedOutputChars` characters are tested: JavaScript regular expressions
 * backtrack and cannot be stopped, so this bounds the time a badly written pattern can take on a
 * long output. A pattern with a template is compiled once per evaluation, after rendering.
 *
 * @example
 * { type: 'regex', value: '^\\d{4}-\\d{2}-\\d{2}$' }
 */
export const regexAssertion: AssertionDefinition = {
  type: 'regex',
  validate: (config) => {
    const { value } = config;
    if (typeof value !== 'string' || value === '') {
      return `value must be a non-empty regular expression string, got ${describeKind(value)}`;
    }
    if (value.includes('{{')) return templateProblem(value);
    const compiled = compile(value);
    return compiled.ok ? undefined : `value must be a valid regular expression: ${compiled.message}`;
  },
  evaluate: (config, context) => {
    const rendered = renderText(config.value as string, context.vars);
    if (!rendered.ok) return rendered.result;
    const compiled = compile(rendered.value);
    if (!compiled.ok) {
      return errored(
        'assertion_value_invalid',
        `value rendered to an invalid regular expression ${quote(rendered.value)}: ${compiled.message}`,
      );
    }
    const truncated = context.output.length > maxCheckedOutputChars;
    const text = truncated ? context.output.slice(0, maxCheckedOutputChars) : context.output;
    const checked = truncated ? ` (tested the first ${maxCheckedOutputChars} characters)` : '';
    return compiled.regex.test(text)
      ? scored(true, `output matches /${rendered.value}/${checked}`)
      : scored(false, `output does not match /${rendered.value}/${checked}`);
  },
};
