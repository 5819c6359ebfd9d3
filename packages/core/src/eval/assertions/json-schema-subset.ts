/**
 * A small JSON Schema validator for `is-json` and `contains-json`. It covers the keywords that
 * structured-output schemas use; anything else is refused when the suite loads rather than
 * silently ignored, so a schema never checks less than its author thinks. promptfoo uses ajv
 * (full draft-07 and later, `$ref`, `format`…); schemas needing more than this subset must be
 * simplified. Strings count their length in Unicode code points, as JSON Schema says; `pattern`
 * is an ECMAScript regular expression with the `u` flag, tested unanchored.
 */
import { jsonEqual } from './json-values.js';

/** The JSON Schema keywords that are validated. */
export const supportedJsonSchemaKeywords = [
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'anyOf',
  'oneOf',
  'allOf',
] as const;

/** Annotation keywords that are allowed and have no effect on validation. */
export const annotationJsonSchemaKeywords = [
  '$schema',
  '$id',
  '$comment',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
] as const;

type Keyword = (typeof supportedJsonSchemaKeywords)[number];
const jsonTypeNames = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'] as const;
/** Deeper schemas are refused, which also bounds the validator's recursion. */
const maxSchemaDepth = 64;

/** A schema of the supported subset; `true` accepts anything, `false` nothing. */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

/** A schema checked and ready to validate values. */
export interface CompiledJsonSchema {
  /** Returns the violations (`$.items[2].name: must be string`), at most `maxErrors`; empty means valid. */
  validate(value: unknown, maxErrors?: number): string[];
}

/** Checks one keyword's value; `sub` checks a nested schema. */
type KeywordCheck = (
  value: unknown,
  sub: (schema: unknown, at: string) => string | undefined,
) => string | undefined;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isTypeName = (value: unknown) => jsonTypeNames.includes(value as (typeof jsonTypeNames)[number]);

const schemaList: KeywordCheck = (value, sub) => {
  if (!Array.isArray(value) || value.length === 0) return 'must be a non-empty array of schemas';
  for (const [index, item] of value.entries()) {
    const problem = sub(item, `/${index}`);
    if (problem !== undefined) return problem;
  }
  return undefined;
};
const count: KeywordCheck = (value) => (isCount(value) ? undefined : 'must be a non-negative integer');
const finiteNumber: KeywordCheck = (value) =>
  typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number';

const keywordChecks: Readonly<Record<Keyword, KeywordCheck>> = {
  type: (value) =>
    isTypeName(value) || (Array.isArray(value) && value.length > 0 && value.every(isTypeName))
      ? undefined
      : `must be one of ${jsonTypeNames.join(', ')}, or a non-empty array of them`,
  properties: (value, sub) => {
    if (!isRecord(value)) return 'must be an object of schemas';
    for (const [name, schema] of Object.entries(value)) {
      const problem = sub(schema, `/${escapePointer(name)}`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  },
  required: (value) =>
    Array.isArray(value) && value.every((item) => typeof item === 'string')
      ? undefined
      : 'must be an array of strings',
  additionalProperties: (value) =>
    typeof value === 'boolean'
      ? undefined
      : 'must be true or false (a schema for extra properties is not supported)',
  items: (value, sub) =>
    Array.isArray(value) ? 'must be a single schema (the tuple form is not supported)' : sub(value, ''),
  enum: (value) => (Array.isArray(value) && value.length > 0 ? undefined : 'must be a non-empty array'),
  const: () => undefined,
  minimum: finiteNumber,
  maximum: finiteNumber,
  minLength: count,
  maxLength: count,
  minItems: count,
  maxItems: count,
  pattern: (value) => {
    if (typeof value !== 'string') return 'must be a string';
    const compiled = compilePattern(value);
    return compiled instanceof RegExp ? undefined : `must be a valid regular expression: ${compiled}`;
  },
  anyOf: schemaList,
  oneOf: schemaList,
  allOf: schemaList,
};

/**
 * Checks that a schema uses only the supported subset; returns the first problem with its
 * location (`#/properties/age/minimum: must be a number`), or `undefined`.
 */
export function jsonSchemaProblem(schema: unknown): string | undefined {
  return checkSchema(schema, '#', 0);
}

function checkSchema(schema: unknown, at: string, depth: number): string | undefined {
  if (depth > maxSchemaDepth) return `${at}: schemas nest deeper than ${maxSchemaDepth} levels`;
  if (typeof schema === 'boolean') return undefined;
  if (!isRecord(schema)) return `${at}: a schema must be an object or a boolean`;
  for (const [keyword, value] of Object.entries(schema)) {
    if ((annotationJsonSchemaKeywords as readonly string[]).includes(keyword)) continue;
    if (!Object.hasOwn(keywordChecks, keyword)) {
      return `${at}: keyword "${keyword}" is not supported; supported keywords: ${supportedJsonSchemaKeywords.join(', ')}`;
    }
    const where = `${at}/${keyword}`;
    const problem = keywordChecks[keyword as Keyword](value, (nested, suffix) =>
      checkSchema(nested, `${where}${suffix}`, depth + 1),
    );
    if (problem !== undefined) return problem.startsWith('#') ? problem : `${where}: ${problem}`;
  }
  return undefined;
}

/**
 * Compiles a schema of the subset (patterns compiled once), or returns why it is refused.
 *
 * @example
 * const compiled = compileJsonSchema({ type: 'object', required: ['name'] });
 * if (compiled.ok) compiled.schema.validate({}); // ['$: must have property "name"']
 */
export function compileJsonSchema(
  schema: unknown,
): { ok: true; schema: CompiledJsonSchema } | { ok: false; problem: string } {
  const problem = jsonSchemaProblem(schema);
  if (problem !== undefined) return { ok: false, problem };
  const patterns = new Map<string, RegExp>();
  const patternFor = (source: string) => {
    let pattern = patterns.get(source);
    if (pattern === undefined) {
      pattern = compilePattern(source) as RegExp;
      patterns.set(source, pattern);
    }
    return pattern;
  };
  return {
    ok: true,
    schema: {
      validate(value, maxErrors = 10) {
        const errors: string[] = [];
        validateValue(schema as JsonSchema, value, '$', errors, patternFor);
        return errors.slice(0, maxErrors);
      },
    },
  };
}

function validateValue(
  schema: JsonSchema,
  value: unknown,
  at: string,
  errors: string[],
  patternFor: (source: string) => RegExp,
): void {
  if (schema === true) return;
  if (schema === false) {
    errors.push(`${at}: no value is allowed here`);
    return;
  }
  const fail = (message: string) => errors.push(`${at}: ${message}`);
  const matches = (nested: unknown) => {
    const nestedErrors: string[] = [];
    validateValue(nested as JsonSchema, value, at, nestedErrors, patternFor);
    return nestedErrors;
  };

  if (schema.type !== undefined) {
    const types = (Array.isArray(schema.type) ? schema.type : [schema.type]) as string[];
    if (!types.some((type) => hasType(value, type))) fail(`must be ${types.join(' or ')}`);
  }
  if (schema.enum !== undefined && !(schema.enum as unknown[]).some((option) => jsonEqual(option, value))) {
    fail(`must be one of ${JSON.stringify(schema.enum)}`);
  }
  if (Object.hasOwn(schema, 'const') && !jsonEqual(schema.const, value)) {
    fail(`must equal ${JSON.stringify(schema.const)}`);
  }

  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) fail(`must be >= ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) fail(`must be <= ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    const length = codePointLength(value);
    if (typeof schema.minLength === 'number' && length < schema.minLength) {
      fail(`must have at least ${schema.minLength} characters`);
    }
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) {
      fail(`must have at most ${schema.maxLength} characters`);
    }
    if (typeof schema.pattern === 'string' && !patternFor(schema.pattern).test(value)) {
      fail(`must match pattern ${JSON.stringify(schema.pattern)}`);
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      fail(`must have at least ${schema.minItems} items`);
    }
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
      fail(`must have at most ${schema.maxItems} items`);
    }
    if (schema.items !== undefined) {
      for (const [index, item] of value.entries()) {
        validateValue(schema.items as JsonSchema, item, `${at}[${index}]`, errors, patternFor);
      }
    }
  }
  if (isRecord(value)) {
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const name of (schema.required ?? []) as string[]) {
      if (!Object.hasOwn(value, name)) fail(`must have property ${JSON.stringify(name)}`);
    }
    for (const [name, item] of Object.entries(value)) {
      if (Object.hasOwn(properties, name)) {
        validateValue(properties[name]!, item, `${at}${propertyPath(name)}`, errors, patternFor);
      } else if (schema.additionalProperties === false) {
        fail(`must not have property ${JSON.stringify(name)}`);
      }
    }
  }

  if (schema.allOf !== undefined) {
    for (const nested of schema.allOf as unknown[]) errors.push(...matches(nested));
  }
  if (
    schema.anyOf !== undefined &&
    !(schema.anyOf as unknown[]).some((nested) => matches(nested).length === 0)
  ) {
    fail('must match at least one schema of anyOf');
  }
  if (schema.oneOf !== undefined) {
    const matched = (schema.oneOf as unknown[]).filter((nested) => matches(nested).length === 0).length;
    if (matched !== 1) fail(`must match exactly one schema of oneOf (matched ${matched})`);
  }
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'object':
      return isRecord(value);
    case 'array':
      return Array.isArray(value);
    case 'null':
      return value === null;
    default:
      return typeof value === type;
  }
}

/** A compiled `u`-flag pattern, or the engine's reason for refusing it. */
function compilePattern(source: string): RegExp | string {
  try {
    return new RegExp(source, 'u');
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}

function escapePointer(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}

function propertyPath(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}
