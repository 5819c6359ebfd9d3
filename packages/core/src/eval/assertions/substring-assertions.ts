import type { AssertionConfig, AssertionContext, AssertionDefinition, AssertionResult } from './assertion.js';
import {
  describeKind,
  invalidValue,
  isTextValue,
  type Prepared,
  quote,
  renderText,
  renderTextValue,
  scored,
  splitCommaSeparated,
  templateProblem,
} from './assertion-value.js';

/** How a substring assertion combines its needles. */
type Mode = 'one' | 'any' | 'all';

/** One substring assertion type, as data. */
interface ContainsVariant {
  type: string;
  mode: Mode;
  ignoreCase: boolean;
}

/**
 * Builds a substring assertion. Like promptfoo, `-any`/`-all` take a list or a comma-separated
 * string (`a, b, "c, d"`); every type compares raw substrings (no trimming, no normalisation).
 */
function containsDefinition(variant: ContainsVariant): AssertionDefinition {
  return {
    type: variant.type,
    validate: (config) => (variant.mode === 'one' ? validateOne(config.value) : validateList(config.value)),
    evaluate: (config, context) => evaluate(variant, config, context),
  };
}

function validateOne(value: unknown): string | undefined {
  if (!isTextValue(value) || value === '') {
    return `value must be a non-empty string or a number, got ${describeKind(value)}`;
  }
  return typeof value === 'string' ? templateProblem(value) : undefined;
}

function validateList(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const problem = templateProblem(value);
    if (problem !== undefined) return problem;
    // A templated list is split after rendering, when its items are known.
    if (value.includes('{{')) return undefined;
    const split = splitCommaSeparated(value);
    if (!split.ok) return split.message;
    return split.items.length === 0 ? 'value must list at least one string' : undefined;
  }
  if (!Array.isArray(value) || value.length === 0) {
    return `value must be a non-empty list of strings or a comma-separated string, got ${describeKind(value)}`;
  }
  for (const [index, item] of value.entries()) {
    if (!isTextValue(item) || item === '') {
      return `value[${index}] must be a non-empty string or a number, got ${describeKind(item)}`;
    }
    const problem = typeof item === 'string' ? templateProblem(item, `value[${index}]`) : undefined;
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** Renders the value into the list of needles to look for. */
function needles(mode: Mode, value: unknown, vars: Record<string, unknown>): Prepared<string[]> {
  if (mode === 'one') {
    const rendered = renderTextValue(value as string | number, vars);
    if (!rendered.ok) return rendered;
    return rendered.value === ''
      ? invalidValue('value rendered to an empty string')
      : { ok: true, value: [rendered.value] };
  }
  if (typeof value === 'string') {
    const rendered = renderText(value, vars);
    if (!rendered.ok) return rendered;
    const split = splitCommaSeparated(rendered.value);
    if (!split.ok) return invalidValue(`${split.message} once rendered`);
    return split.items.length === 0
      ? invalidValue('value rendered to an empty list')
      : { ok: true, value: split.items };
  }
  const items: string[] = [];
  for (const [index, item] of (value as Array<string | number>).entries()) {
    const rendered =
      typeof item === 'number'
        ? { ok: true as const, value: String(item) }
        : renderText(item, vars, `value[${index}]`);
    if (!rendered.ok) return rendered;
    if (rendered.value === '') return invalidValue(`value[${index}] rendered to an empty string`);
    items.push(rendered.value);
  }
  return { ok: true, value: items };
}

function evaluate(
  variant: ContainsVariant,
  config: AssertionConfig,
  context: AssertionContext,
): AssertionResult {
  const prepared = needles(variant.mode, config.value, context.vars);
  if (!prepared.ok) return prepared.result;
  const fold = (text: string) => (variant.ignoreCase ? text.toLowerCase() : text);
  const haystack = fold(context.output);
  const found = (needle: string) => haystack.includes(fold(needle));
  const suffix = variant.ignoreCase ? ' (ignoring case)' : '';
  const list = prepared.value.map((needle) => quote(needle)).join(', ');

  if (variant.mode === 'one') {
    const needle = quote(prepared.value[0]!);
    return found(prepared.value[0]!)
      ? scored(true, `output contains ${needle}${suffix}`)
      : scored(false, `output does not contain ${needle}${suffix}`);
  }
  if (variant.mode === 'any') {
    const hit = prepared.value.find(found);
    return hit === undefined
      ? scored(false, `output contains none of ${list}${suffix}`)
      : scored(true, `output contains ${quote(hit)}, one of ${list}${suffix}`);
  }
  const missing = prepared.value.filter((needle) => !found(needle));
  return missing.length === 0
    ? scored(true, `output contains all of ${list}${suffix}`)
    : scored(false, `output lacks ${missing.map((needle) => quote(needle)).join(', ')} of ${list}${suffix}`);
}

/** `contains`: the output includes the value (case-sensitive). */
export const containsAssertion = containsDefinition({ type: 'contains', mode: 'one', ignoreCase: false });

/** `icontains`: the output includes the value, ignoring case. */
export const icontainsAssertion = containsDefinition({ type: 'icontains', mode: 'one', ignoreCase: true });

/** `contains-any`: the output includes at least one of the values. */
export const containsAnyAssertion = containsDefinition({
  type: 'contains-any',
  mode: 'any',
  ignoreCase: false,
});

/** `contains-all`: the output includes every one of the values. */
export const containsAllAssertion = containsDefinition({
  type: 'contains-all',
  mode: 'all',
  ignoreCase: false,
});

/** `icontains-any`: like `contains-any`, ignoring case. */
export const icontainsAnyAssertion = containsDefinition({
  type: 'icontains-any',
  mode: 'any',
  ignoreCase: true,
});

/** `icontains-all`: like `contains-all`, ignoring case. */
export const icontainsAllAssertion = containsDefinition({
  type: 'icontains-all',
  mode: 'all',
  ignoreCase: true,
});

/** `starts-with`: the output begins with the value (case-sensitive, no trimming). */
export const startsWithAssertion: AssertionDefinition = {
  type: 'starts-with',
  validate: (config) => validateOne(config.value),
  evaluate: (config, context) => {
    const rendered = renderTextValue(config.value as string | number, context.vars);
    if (!rendered.ok) return rendered.result;
    const prefix = quote(rendered.value);
    return context.output.startsWith(rendered.value)
      ? scored(true, `output starts with ${prefix}`)
      : scored(false, `output does not start with ${prefix}`);
  },
};
