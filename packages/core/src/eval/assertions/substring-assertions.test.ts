import { describe, expect, it } from 'vitest';
import type { AssertionConfig } from './assertion.js';
import { splitCommaSeparated } from './assertion-value.js';
import { runAssertion, validateAssertions } from './registry.js';

const run = (config: AssertionConfig, output: string, vars: Record<string, unknown> = {}) =>
  runAssertion(config, { output, vars });

describe('contains and icontains', () => {
  it('compare raw substrings, icontains ignoring case', async () => {
    expect(await run({ type: 'contains', value: 'Paris' }, 'I love Paris')).toEqual({
      status: 'scored',
      pass: true,
      score: 1,
      reason: 'output contains "Paris"',
    });
    expect(await run({ type: 'icontains', value: 'PARIS' }, 'I love Paris')).toMatchObject({
      pass: true,
      reason: 'output contains "PARIS" (ignoring case)',
    });
    expect(await run({ type: 'contains', value: 'PARIS' }, 'I love Paris')).toMatchObject({
      pass: false,
      reason: 'output does not contain "PARIS"',
    });
  });

  it('accept a number value as its text', async () => {
    expect(await run({ type: 'contains', value: 42 }, 'the answer is 42')).toMatchObject({ pass: true });
  });

  it('shorten a long value in the reason', async () => {
    const result = await run({ type: 'contains', value: 'x'.repeat(500) }, 'y');
    expect(result.status === 'scored' && result.reason.length < 200).toBe(true);
  });
});

describe('contains-any and contains-all', () => {
  it('split a comma-separated value, keeping quoted commas', async () => {
    expect(splitCommaSeparated('a, b ,, "c, d", "say ""hi""", "x\\"y"')).toEqual({
      ok: true,
      items: ['a', 'b', 'c, d', 'say "hi"', 'x"y'],
    });
    expect(splitCommaSeparated('"a" b')).toEqual({
      ok: false,
      message: 'value needs a comma after each quoted item',
    });
    expect(
      await run({ type: 'contains-all', value: 'Paris, "1,000"' }, 'Paris has 1,000 bridges'),
    ).toMatchObject({
      pass: true,
    });
  });

  it('name the one found, or the ones missing', async () => {
    expect(await run({ type: 'contains-any', value: ['Lyon', 'Paris'] }, 'Paris')).toMatchObject({
      reason: 'output contains "Paris", one of "Lyon", "Paris"',
    });
    expect(await run({ type: 'contains-all', value: ['a', 'b', 'c'] }, 'a')).toMatchObject({
      pass: false,
      score: 0,
      reason: 'output lacks "b", "c" of "a", "b", "c"',
    });
    expect(await run({ type: 'icontains-all', value: ['A', 'B'] }, 'a b')).toMatchObject({
      pass: true,
      reason: 'output contains all of "A", "B" (ignoring case)',
    });
  });

  it('render templates in a list value and in each list item', async () => {
    const vars = { first: 'Paris', second: 'Lyon' };
    expect(
      await run({ type: 'contains-all', value: '{{first}}, {{second}}' }, 'Paris and Lyon', vars),
    ).toMatchObject({
      pass: true,
    });
    expect(
      await run({ type: 'not-contains-any', value: ['{{second}}', 'Nice'] }, 'Paris', vars),
    ).toMatchObject({
      pass: true,
    });
    expect(await run({ type: 'contains-any', value: ['{{missing}}'] }, 'Paris', vars)).toEqual({
      status: 'errored',
      error: {
        code: 'template_variables_missing',
        message: "value[0] uses variables the case's vars do not have: missing",
      },
    });
  });

  it('refuse empty items and lists at load', () => {
    expect(validateAssertions([{ type: 'contains-any', value: ['a', ''] }], 'c')).toEqual([
      'c.assert[0] (contains-any): value[1] must be a non-empty string or a number, got an empty string',
    ]);
    expect(validateAssertions([{ type: 'contains-all', value: ' , ' }], 'c')).toEqual([
      'c.assert[0] (contains-all): value must list at least one string',
    ]);
  });
});

describe('starts-with', () => {
  it('does not trim the output', async () => {
    expect(await run({ type: 'starts-with', value: 'Yes' }, 'Yes, indeed')).toMatchObject({ pass: true });
    expect(await run({ type: 'starts-with', value: 'Yes' }, '\nYes')).toMatchObject({
      pass: false,
      reason: 'output does not start with "Yes"',
    });
  });
});
