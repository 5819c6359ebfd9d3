import { describe, expect, it } from 'vitest';
import type { AssertionConfig, AssertionContext, AssertionDefinition } from './assertion.js';
import {
  assertionRegistry,
  knownAssertionTypes,
  parseAssertionType,
  resolveAssertion,
  runAssertion,
  validateAssertions,
} from './registry.js';
import { containsAssertion } from './substring-assertions.js';

const context = (output: string, vars: Record<string, unknown> = {}): AssertionContext => ({ output, vars });

describe('assertionRegistry', () => {
  it('keys every definition by its own type and is frozen', () => {
    for (const [type, definition] of Object.entries(assertionRegistry)) expect(definition.type).toBe(type);
    expect(Object.isFrozen(assertionRegistry)).toBe(true);
    expect(knownAssertionTypes).toEqual([...Object.keys(assertionRegistry)].sort());
  });
});

describe('resolveAssertion', () => {
  it('parses the not- prefix once into a base type and a negation flag', () => {
    expect(parseAssertionType('not-contains')).toEqual({ base: 'contains', negate: true });
    expect(parseAssertionType('contains')).toEqual({ base: 'contains', negate: false });
    expect(resolveAssertion('not-contains')).toEqual({ definition: containsAssertion, negate: true });
    expect(resolveAssertion('contains')).toEqual({ definition: containsAssertion, negate: false });
  });

  it('answers an unknown type with an error listing the known types', () => {
    const resolved = resolveAssertion('g-eval');
    expect(resolved).toEqual({ error: expect.stringContaining('Unknown assertion type "g-eval"') });
    const { error } = resolved as { error: string };
    for (const type of knownAssertionTypes) expect(error).toContain(type);
    expect(error).toContain('not-');
  });

  it('refuses a double negation and inherited object keys as types', () => {
    expect(resolveAssertion('not-not-contains')).toHaveProperty('error');
    expect(resolveAssertion('toString')).toHaveProperty('error');
    expect(resolveAssertion('not-__proto__')).toHaveProperty('error');
  });
});

describe('validateAssertions', () => {
  it('names the case, the index and the type in every message', () => {
    const problems = validateAssertions(
      [
        { type: 'contains', value: 'ok' },
        { type: 'regex', value: '(' },
        { type: 'contains-any' },
        { type: 'nope' },
      ],
      'tests[3]',
    );
    expect(problems).toEqual([
      'tests[3].assert[1] (regex): value must be a valid regular expression: Unterminated group',
      'tests[3].assert[2] (contains-any): value must be a non-empty list of strings or a comma-separated string, got nothing',
      expect.stringMatching(
        /^tests\[3\]\.assert\[3\] \(nope\): Unknown assertion type "nope"\. Known types: /,
      ),
    ]);
  });

  it('checks the fields every assertion shares', () => {
    const configs = [
      { type: 'contains', value: 'a', weight: -1 },
      { type: 'contains', value: 'a', threshold: Number.NaN },
      { type: 'contains', value: 'a', metric: 3 },
      { type: 'contains', value: 'a', treshold: 0.5 },
      { value: 'a' },
      'contains',
    ] as unknown as AssertionConfig[];
    expect(validateAssertions(configs, 'tests[0]')).toEqual([
      'tests[0].assert[0] (contains): weight must be a number >= 0 (0 makes the assertion informational), got -1',
      'tests[0].assert[1] (contains): threshold must be a number, got a number',
      'tests[0].assert[2] (contains): metric must be a non-empty string, got a number',
      'tests[0].assert[3] (contains): unknown field(s) "treshold"; an assertion has type, value, threshold, weight, metric',
      'tests[0].assert[4]: type must be an assertion type such as "contains", got nothing',
      'tests[0].assert[5]: an assertion must be an object with a type, got a string',
    ]);
  });

  it('checks template syntax at load but leaves variables to each case', () => {
    expect(validateAssertions([{ type: 'contains', value: '{{city}}' }], 'c')).toEqual([]);
    expect(validateAssertions([{ type: 'contains', value: '{{#city}}' }], 'c')).toEqual([
      expect.stringMatching(
        /^c\.assert\[0\] \(contains\): value is not a valid template at line 1, column 1: /,
      ),
    ]);
  });
});

describe('runAssertion', () => {
  it('renders {{var}} templates in values with the case vars', async () => {
    const vars = { city: 'Paris', other: 'Lyon', customer: { name: 'Ada' } };
    const checks: Array<[AssertionConfig, string]> = [
      [{ type: 'equals', value: 'Hello {{customer.name}}' }, 'Hello Ada'],
      [{ type: 'contains', value: '{{city}}' }, 'in Paris'],
      [{ type: 'contains-any', value: ['{{other}}', '{{city}}'] }, 'in Paris'],
      [{ type: 'contains-all', value: '{{city}}, France' }, 'Paris, France'],
      [{ type: 'starts-with', value: '{{city}}:' }, 'Paris: yes'],
      [{ type: 'regex', value: '^{{city}}$' }, 'Paris'],
      [{ type: 'levenshtein', value: '{{city}}', threshold: 0 }, 'Paris'],
      [{ type: 'rouge-n', value: { reference: 'capital {{city}}', n: 2 } }, 'the capital Paris'],
    ];
    for (const [config, output] of checks) {
      expect(await runAssertion(config, context(output, vars)), config.type).toMatchObject({ pass: true });
    }
  });

  it('errors naming the missing variable instead of rendering it empty', async () => {
    const result = await runAssertion(
      { type: 'not-contains', value: 'Hi {{name}} from {{city}}' },
      context('Hi'),
    );
    expect(result).toEqual({
      status: 'errored',
      error: {
        code: 'template_variables_missing',
        message: "value uses variables the case's vars do not have: name, city",
      },
    });
  });

  it('errors on a value whose rendering is unusable', async () => {
    expect(await runAssertion({ type: 'regex', value: '({{x}}' }, context('a', { x: 'a' }))).toMatchObject({
      status: 'errored',
      error: { code: 'assertion_value_invalid', message: expect.stringContaining('Unterminated group') },
    });
    expect(await runAssertion({ type: 'contains', value: '{{x}}' }, context('a', { x: '' }))).toMatchObject({
      status: 'errored',
      error: { code: 'assertion_value_invalid', message: 'value rendered to an empty string' },
    });
  });

  it('answers an unknown type with an errored result listing the known types', async () => {
    expect(await runAssertion({ type: 'g-eval', value: 'x' }, context('x'))).toMatchObject({
      status: 'errored',
      error: { code: 'assertion_unknown_type', message: expect.stringContaining('Known types: contains') },
    });
  });

  it('errors every assertion when the output could not be produced', async () => {
    const result = await runAssertion(
      { type: 'not-contains', value: 'x' },
      { output: '', vars: {}, outputError: { code: 'provider_timeout', message: 'took too long' } },
    );
    expect(result).toEqual({
      status: 'errored',
      error: {
        code: 'assertion_output_unavailable',
        message: 'there is no output to check (provider_timeout: took too long)',
      },
    });
  });

  it('leaves skipped results unchanged when negated', async () => {
    const skipped = await runAssertion({ type: 'not-latency', threshold: 10 }, context('x'));
    expect(skipped).toEqual({ status: 'skipped', reason: expect.stringContaining('latency is unknown') });
  });

  it('turns an exception thrown inside evaluate into an errored result', async () => {
    const throwing: AssertionDefinition = {
      type: 'explodes',
      validate: () => undefined,
      evaluate: () => {
        throw new Error('boom');
      },
    };
    const rejecting: AssertionDefinition = {
      ...throwing,
      type: 'rejects',
      evaluate: () => Promise.reject('nope'),
    };
    const registry = { ...assertionRegistry, explodes: throwing, rejects: rejecting };
    expect(await runAssertion({ type: 'not-explodes' }, context('x'), registry)).toEqual({
      status: 'errored',
      error: { code: 'assertion_evaluate_failed', message: 'not-explodes failed while evaluating: boom' },
    });
    expect(await runAssertion({ type: 'rejects' }, context('x'), registry)).toEqual({
      status: 'errored',
      error: { code: 'assertion_evaluate_failed', message: 'rejects failed while evaluating: nope' },
    });
  });

  it('turns a score outside 0..1 into an errored result', async () => {
    const broken: AssertionDefinition = {
      type: 'broken',
      validate: () => undefined,
      evaluate: () => ({ status: 'scored', pass: true, score: 1.5, reason: 'too good' }),
    };
    expect(await runAssertion({ type: 'broken' }, context('x'), { broken })).toMatchObject({
      status: 'errored',
      error: { code: 'assertion_result_invalid' },
    });
  });

  it('refuses a var that is a getter rather than calling it', async () => {
    const vars = Object.defineProperty({}, 'city', { enumerable: true, get: () => 'Paris' });
    const result = await runAssertion({ type: 'contains', value: '{{city}}' }, context('Paris', vars));
    expect(result).toMatchObject({
      status: 'errored',
      error: { code: 'template_render_failed', message: expect.stringContaining('getter') },
    });
  });

  it('lists the types of an extended registry when a type is unknown', () => {
    const registry = { ...assertionRegistry, shout: { ...containsAssertion, type: 'shout' } };
    expect(resolveAssertion('whisper', registry)).toEqual({
      error: expect.stringContaining('regex, rouge-n, shout'),
    });
    expect(validateAssertions([{ type: 'shout', value: 'A' }], 'c', registry)).toEqual([]);
  });
});
