import { describe, expect, it } from 'vitest';
import { maxCheckedOutputChars } from './assertion-value.js';
import { runAssertion, validateAssertions } from './registry.js';

describe('regex', () => {
  it('searches anywhere in the output unless anchored, without flags', async () => {
    const on = (value: string, output: string) =>
      runAssertion({ type: 'regex', value }, { output, vars: {} });
    expect(await on('\\bParis\\b', 'I love Paris.')).toMatchObject({
      pass: true,
      reason: 'output matches /\\bParis\\b/',
    });
    expect(await on('^Paris', 'I love Paris.')).toMatchObject({ pass: false });
    expect(await on('paris', 'PARIS')).toMatchObject({ pass: false });
  });

  it('refuses an invalid pattern at load with the engine reason', () => {
    expect(validateAssertions([{ type: 'regex', value: '[a-' }], 'tests[0]')).toEqual([
      'tests[0].assert[0] (regex): value must be a valid regular expression: Unterminated character class',
    ]);
    expect(validateAssertions([{ type: 'regex', value: '' }], 'tests[0]')).toEqual([
      'tests[0].assert[0] (regex): value must be a non-empty regular expression string, got an empty string',
    ]);
  });

  it('tests only the first characters of a very long output, and says so', async () => {
    const output = `${'a'.repeat(maxCheckedOutputChars)}needle`;
    const result = await runAssertion({ type: 'regex', value: 'needle' }, { output, vars: {} });
    expect(result).toMatchObject({
      pass: false,
      reason: `output does not match /needle/ (tested the first ${maxCheckedOutputChars} characters)`,
    });
  });

  it('compiles a templated pattern after rendering it', async () => {
    const result = await runAssertion(
      { type: 'regex', value: '^{{city}}\\.?$' },
      { output: 'Paris.', vars: { city: 'Paris' } },
    );
    expect(result).toMatchObject({ pass: true });
  });
});
