import { describe, expect, it } from 'vitest';
import { compileJsonSchema, jsonSchemaProblem } from './json-schema-subset.js';

/** Violations of `value` against `schema`, which must compile. */
function violations(schema: unknown, value: unknown): string[] {
  const compiled = compileJsonSchema(schema);
  if (!compiled.ok) throw new Error(compiled.problem);
  return compiled.schema.validate(value);
}

describe('compileJsonSchema: validation', () => {
  it('checks type, including a list of types and integer', () => {
    expect(violations({ type: 'string' }, 'a')).toEqual([]);
    expect(violations({ type: 'string' }, 1)).toEqual(['$: must be string']);
    expect(violations({ type: ['string', 'null'] }, null)).toEqual([]);
    expect(violations({ type: 'integer' }, 1.5)).toEqual(['$: must be integer']);
    expect(violations({ type: 'number' }, 1.5)).toEqual([]);
    expect(violations({ type: 'object' }, [])).toEqual(['$: must be object']);
    expect(violations({ type: 'array' }, {})).toEqual(['$: must be array']);
  });

  it('checks properties, required and additionalProperties with paths', () => {
    const schema = {
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'integer' }, 'display name': { type: 'string' } },
      additionalProperties: false,
    };
    expect(violations(schema, { id: 1, 'display name': 'x' })).toEqual([]);
    expect(violations(schema, { 'display name': 2, extra: true })).toEqual([
      '$: must have property "id"',
      '$["display name"]: must be string',
      '$: must not have property "extra"',
    ]);
  });

  it('checks items, minItems and maxItems', () => {
    const schema = { type: 'array', items: { type: 'number', maximum: 10 }, minItems: 1, maxItems: 2 };
    expect(violations(schema, [1, 2])).toEqual([]);
    expect(violations(schema, [])).toEqual(['$: must have at least 1 items']);
    expect(violations(schema, [1, 20, 3])).toEqual(['$: must have at most 2 items', '$[1]: must be <= 10']);
  });

  it('checks enum and const by deep equality', () => {
    expect(violations({ enum: ['a', { b: 1 }] }, { b: 1 })).toEqual([]);
    expect(violations({ enum: ['a', 'b'] }, 'c')).toEqual(['$: must be one of ["a","b"]']);
    expect(violations({ const: [1, 2] }, [1, 2])).toEqual([]);
    expect(violations({ const: null }, 0)).toEqual(['$: must equal null']);
  });

  it('checks string length in code points, and unanchored patterns', () => {
    expect(violations({ minLength: 2, maxLength: 2 }, '😀😀')).toEqual([]);
    expect(violations({ maxLength: 1 }, 'ab')).toEqual(['$: must have at most 1 characters']);
    expect(violations({ pattern: '\\d{3}' }, 'call 555 now')).toEqual([]);
    expect(violations({ pattern: '^\\d+$' }, '12a')).toEqual(['$: must match pattern "^\\\\d+$"']);
  });

  it('applies number, string and array keywords only to values of that kind', () => {
    expect(violations({ minimum: 5, minLength: 5, minItems: 5 }, true)).toEqual([]);
  });

  it('combines schemas with anyOf, oneOf and allOf', () => {
    const anyOf = { anyOf: [{ type: 'string' }, { type: 'integer' }] };
    expect(violations(anyOf, 3)).toEqual([]);
    expect(violations(anyOf, 1.5)).toEqual(['$: must match at least one schema of anyOf']);
    const oneOf = { oneOf: [{ type: 'number' }, { type: 'integer' }] };
    expect(violations(oneOf, 1.5)).toEqual([]);
    expect(violations(oneOf, 1)).toEqual(['$: must match exactly one schema of oneOf (matched 2)']);
    const allOf = { allOf: [{ type: 'string' }, { minLength: 3 }] };
    expect(violations(allOf, 'ab')).toEqual(['$: must have at least 3 characters']);
  });

  it('accepts boolean schemas and ignores annotations', () => {
    expect(violations(true, { any: 'thing' })).toEqual([]);
    expect(violations({ properties: { never: false } }, { never: 1 })).toEqual([
      '$.never: no value is allowed here',
    ]);
    expect(
      violations({ title: 'T', description: 'D', $schema: 'x', examples: [1], type: 'number' }, 1),
    ).toEqual([]);
  });

  it('caps the number of violations reported', () => {
    const compiled = compileJsonSchema({ items: { type: 'string' } });
    if (!compiled.ok) throw new Error(compiled.problem);
    expect(compiled.schema.validate([1, 2, 3, 4], 2)).toEqual([
      '$[0]: must be string',
      '$[1]: must be string',
    ]);
  });
});

describe('jsonSchemaProblem', () => {
  it('refuses keywords outside the subset, listing the supported ones', () => {
    expect(jsonSchemaProblem({ properties: { email: { type: 'string', format: 'email' } } })).toBe(
      '#/properties/email: keyword "format" is not supported; supported keywords: type, properties, required, additionalProperties, items, enum, const, minimum, maximum, minLength, maxLength, pattern, minItems, maxItems, anyOf, oneOf, allOf',
    );
  });

  it('names the location of a malformed keyword', () => {
    expect(jsonSchemaProblem({ type: 'text' })).toBe(
      '#/type: must be one of string, number, integer, boolean, object, array, null, or a non-empty array of them',
    );
    expect(jsonSchemaProblem({ items: [{ type: 'string' }] })).toBe(
      '#/items: must be a single schema (the tuple form is not supported)',
    );
    expect(jsonSchemaProblem({ additionalProperties: { type: 'string' } })).toMatch(
      /^#\/additionalProperties: must be true or false/,
    );
    expect(jsonSchemaProblem({ anyOf: [{ type: 'string' }, { minLength: -1 }] })).toBe(
      '#/anyOf/1/minLength: must be a non-negative integer',
    );
    expect(jsonSchemaProblem({ pattern: '(' })).toMatch(/^#\/pattern: must be a valid regular expression: /);
    expect(jsonSchemaProblem({ properties: { 'a/b': 7 } })).toBe(
      '#/properties/a~1b: a schema must be an object or a boolean',
    );
  });

  it('refuses schemas nested past the depth limit', () => {
    let schema: unknown = { type: 'string' };
    for (let depth = 0; depth < 70; depth++) schema = { items: schema };
    expect(jsonSchemaProblem(schema)).toMatch(/schemas nest deeper than 64 levels$/);
  });
});
