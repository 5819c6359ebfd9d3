import type { AssertionConfig, AssertionDefinition } from './assertion.js';
import { describeKind, errored, maxCheckedOutputChars, scored } from './assertion-value.js';
import { type CompiledJsonSchema, compileJsonSchema } from './json-schema-subset.js';
import { findJsonValues, maxJsonCandidates, parseJson } from './json-values.js';

/**
 * The optional schema of `is-json`/`contains-json`: absent, an object or boolean schema, or its
 * JSON text. Schemas are not templated: they are structure, checked whole when the suite loads.
 */
function schemaOf(
  config: AssertionConfig,
): { ok: true; schema: CompiledJsonSchema | undefined } | { ok: false; problem: string } {
  const { value } = config;
  if (value === undefined || value === null || value === '') return { ok: true, schema: undefined };
  let schema: unknown = value;
  if (typeof value === 'string') {
    const parsed = parseJson(value);
    if (!parsed.ok) {
      return {
        ok: false,
        problem: `value must be a JSON Schema, as an object or its JSON text (YAML text is not supported): ${parsed.message}`,
      };
    }
    schema = parsed.value;
  }
  if (
    typeof schema !== 'boolean' &&
    (typeof schema !== 'object' || schema === null || Array.isArray(schema))
  ) {
    return {
      ok: false,
      problem: `value must be a JSON Schema (an object or a boolean), got ${describeKind(schema)}`,
    };
  }
  const compiled = compileJsonSchema(schema);
  return compiled.ok
    ? { ok: true, schema: compiled.schema }
    : { ok: false, problem: `value is not a supported JSON Schema: ${compiled.problem}` };
}

function validateSchemaValue(config: AssertionConfig): string | undefined {
  const schema = schemaOf(config);
  return schema.ok ? undefined : schema.problem;
}

/**
 * `is-json`: the whole output parses as JSON (any JSON value, as `JSON.parse` accepts it, so
 * surrounding whitespace is fine but a Markdown fence is not). With a value, the parsed output
 * must also match that JSON Schema (see `json-schema-subset.ts` for the keywords supported).
 */
export const isJsonAssertion: AssertionDefinition = {
  type: 'is-json',
  validate: validateSchemaValue,
  evaluate: (config, context) => {
    const schema = schemaOf(config);
    if (!schema.ok) return errored('assertion_config_invalid', schema.problem);
    const parsed = parseJson(context.output);
    if (!parsed.ok) return scored(false, `output is not valid JSON: ${parsed.message}`);
    if (schema.schema === undefined) return scored(true, 'output is valid JSON');
    const errors = schema.schema.validate(parsed.value);
    return errors.length === 0
      ? scored(true, 'output is JSON matching the schema')
      : scored(false, `output is JSON but does not match the schema: ${errors.join('; ')}`);
  },
};

/**
 * `contains-json`: the output embeds a JSON object or array (in prose, in a Markdown fence…).
 * With a value, at least one embedded object or array must match that JSON Schema. Only the
 * first `maxCheckedOutputChars` characters are searched, trying at most `maxJsonCandidates`
 * opening brackets.
 */
export const containsJsonAssertion: AssertionDefinition = {
  type: 'contains-json',
  validate: validateSchemaValue,
  evaluate: (config, context) => {
    const schema = schemaOf(config);
    if (!schema.ok) return errored('assertion_config_invalid', schema.problem);
    const truncated = context.output.length > maxCheckedOutputChars;
    const found = findJsonValues(truncated ? context.output.slice(0, maxCheckedOutputChars) : context.output);
    const searched = truncated
      ? ` (searched the first ${maxCheckedOutputChars} characters, at most ${maxJsonCandidates} brackets)`
      : '';
    if (found.length === 0) return scored(false, `output contains no JSON object or array${searched}`);
    if (schema.schema === undefined) return scored(true, 'output contains a JSON object or array');
    let firstErrors: string[] = [];
    for (const [index, value] of found.entries()) {
      const errors = schema.schema.validate(value);
      if (errors.length === 0)
        return scored(true, `output contains JSON matching the schema (value ${index + 1} found)`);
      if (index === 0) firstErrors = errors;
    }
    return scored(
      false,
      `output contains ${found.length} JSON value(s), none matching the schema; the first: ${firstErrors.join('; ')}${searched}`,
    );
  },
};

/**
 * `json-schema`: `is-json` with the schema required: the whole output parses as JSON and matches
 * the JSON Schema in `value`. For suites that name the check by what it checks.
 */
export const jsonSchemaAssertion: AssertionDefinition = {
  type: 'json-schema',
  validate: (config) => {
    const { value } = config;
    if (value === undefined || value === null || value === '') {
      return 'value must be the JSON Schema the output has to match (an object, or its JSON text); use is-json to check only that the output is JSON';
    }
    return validateSchemaValue(config);
  },
  evaluate: (config, context) => {
    const problem = jsonSchemaAssertion.validate(config);
    if (problem !== undefined) return errored('assertion_config_invalid', problem);
    return isJsonAssertion.evaluate(config, context);
  },
};
