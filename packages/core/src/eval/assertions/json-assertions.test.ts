import { describe, expect, it } from 'vitest';
import type { AssertionConfig } from './assertion.js';
import { maxCheckedOutputChars } from './assertion-value.js';
import { findJsonValues, maxJsonCandidates } from './json-values.js';
import { runAssertion, validateAssertions } from './registry.js';

const run = (config: AssertionConfig, output: string) => runAssertion(config, { output, vars: {} });
const person = {
  type: 'object',
  required: ['name', 'age'],
  properties: { name: { type: 'string', minLength: 1 }, age: { type: 'integer', minimum: 0 } },
  additionalProperties: false,
};

describe('is-json', () => {
  it('accepts any JSON value but not a Markdown fence', async () => {
    expect(await run({ type: 'is-json' }, '42')).toMatchObject({ pass: true });
    expect(await run({ type: 'is-json' }, '```json\n{"a":1}\n```')).toMatchObject({
      pass: false,
      reason: expect.stringMatching(/^output is not valid JSON: /),
    });
  });

  it('checks the output against a schema value, as an object or its JSON text', async () => {
    expect(await run({ type: 'is-json', value: person }, '{"name":"Ada","age":36}')).toMatchObject({
      pass: true,
      reason: 'output is JSON matching the schema',
    });
    expect(
      await run({ type: 'is-json', value: JSON.stringify(person) }, '{"name":"Ada","age":-1,"x":1}'),
    ).toMatchObject({
      pass: false,
      reason:
        'output is JSON but does not match the schema: $.age: must be >= 0; $: must not have property "x"',
    });
  });

  it('refuses a schema that is not an object or uses unsupported keywords', () => {
    expect(validateAssertions([{ type: 'is-json', value: [1] }], 'c')).toEqual([
      'c.assert[0] (is-json): value must be a JSON Schema (an object or a boolean), got an array',
    ]);
    expect(validateAssertions([{ type: 'is-json', value: { $ref: '#/definitions/x' } }], 'c')).toEqual([
      expect.stringContaining(
        'keyword "$ref" is not supported; supported keywords: type, properties, required',
      ),
    ]);
  });
});

describe('contains-json', () => {
  it('finds JSON in prose and in Markdown fences', async () => {
    expect(await run({ type: 'contains-json' }, 'Here:\n```json\n{"a": "}"}\n```')).toMatchObject({
      pass: true,
    });
    expect(await run({ type: 'contains-json' }, 'no json here, just {braces}')).toMatchObject({
      pass: false,
      reason: 'output contains no JSON object or array',
    });
  });

  it('passes when any embedded value matches the schema', async () => {
    const output = 'First {"name": ""} then {"name": "Ada", "age": 36}';
    expect(await run({ type: 'contains-json', value: person }, output)).toMatchObject({
      pass: true,
      reason: 'output contains JSON matching the schema (value 2 found)',
    });
    expect(await run({ type: 'contains-json', value: person }, 'Only {"name": ""}')).toMatchObject({
      pass: false,
      reason:
        'output contains 1 JSON value(s), none matching the schema; the first: $: must have property "age"; $.name: must have at least 1 characters',
    });
  });

  it('searches only the first characters of a very long output', async () => {
    const output = `${' '.repeat(maxCheckedOutputChars)}{"a":1}`;
    expect(await run({ type: 'contains-json' }, output)).toMatchObject({
      pass: false,
      reason: expect.stringContaining(`searched the first ${maxCheckedOutputChars} characters`),
    });
  });
});

describe('findJsonValues', () => {
  it('returns top-level objects and arrays left to right, skipping spans that do not parse', () => {
    expect(findJsonValues('x {"a": [1, {"b": "]"}]} y [1,2] {bad} [3')).toEqual([
      { a: [1, { b: ']' }] },
      [1, 2],
    ]);
    expect(findJsonValues('{ {"inner": true}')).toEqual([{ inner: true }]);
  });

  it('gives up after trying maxJsonCandidates opening brackets', () => {
    expect(findJsonValues(`${'{x} '.repeat(maxJsonCandidates - 1)}{"a":1}`)).toEqual([{ a: 1 }]);
    expect(findJsonValues(`${'{x} '.repeat(maxJsonCandidates)}{"a":1}`)).toEqual([]);
  });
});
