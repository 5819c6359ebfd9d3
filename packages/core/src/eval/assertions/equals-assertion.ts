import type { AssertionDefinition } from './assertion.js';
import { describeKind, quote, renderTextValue, scored, templateProblem } from './assertion-value.js';
import { jsonEqual, parseJson } from './json-values.js';

/**
 * `equals`: the output is exactly the value (no trimming, case-sensitive); a number or boolean
 * value is compared as its text. An object or array value is compared with the output parsed as
 * JSON, by deep equality (key order does not matter); output that is not JSON does not equal it.
 *
 * @example
 * { type: 'equals', value: 'Paris' }
 * { type: 'equals', value: { answer: 42 } } // passes for the output '{ "answer": 42 }'
 */
export const equalsAssertion: AssertionDefinition = {
  type: 'equals',
  validate: (config) => {
    const { value } = config;
    if (typeof value === 'string') return templateProblem(value);
    if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return undefined;
    if (typeof value === 'object' && value !== null) return undefined;
    return `value must be the expected output (a string, number or boolean) or a JSON object or array, got ${describeKind(value)}`;
  },
  evaluate: (config, context) => {
    const { value } = config;
    if (typeof value === 'object' && value !== null) {
      const expected = JSON.stringify(value);
      const parsed = parseJson(context.output);
      if (!parsed.ok) return scored(false, `output is not JSON, so it does not equal ${quote(expected)}`);
      return jsonEqual(parsed.value, value)
        ? scored(true, `output equals ${quote(expected)} as JSON`)
        : scored(false, `output ${quote(context.output)} does not equal ${quote(expected)} as JSON`);
    }
    const rendered = renderTextValue(
      typeof value === 'boolean' ? String(value) : (value as string | number),
      context.vars,
    );
    if (!rendered.ok) return rendered.result;
    return context.output === rendered.value
      ? scored(true, `output equals ${quote(rendered.value)}`)
      : scored(false, `output ${quote(context.output)} does not equal ${quote(rendered.value)}`);
  },
};
