import { describe, expect, it } from 'vitest';
import type { AssertionConfig } from './assertion.js';
import { runAssertion, validateAssertions } from './registry.js';
import { maxLevenshteinCells } from './similarity-assertions.js';

const run = (config: AssertionConfig, output: string, vars: Record<string, unknown> = {}) =>
  runAssertion(config, { output, vars });

describe('levenshtein', () => {
  it('passes within the threshold, scoring 1 - distance / longer length', async () => {
    expect(await run({ type: 'levenshtein', value: 'kitten', threshold: 3 }, 'sitting')).toEqual({
      status: 'scored',
      pass: true,
      score: 1 - 3 / 7,
      reason: 'edit distance 3 is within the threshold 3',
    });
    expect(await run({ type: 'levenshtein', value: 'kitten', threshold: 2 }, 'sitting')).toMatchObject({
      pass: false,
      score: 1 - 3 / 7,
      reason: 'edit distance 3 exceeds the threshold 2',
    });
  });

  it('defaults the threshold to 5 and honours a threshold of 0', async () => {
    expect(await run({ type: 'levenshtein', value: 'abcdefgh' }, 'abc')).toMatchObject({ pass: true });
    expect(await run({ type: 'levenshtein', value: 'abcdefghi' }, 'abc')).toMatchObject({ pass: false });
    expect(await run({ type: 'levenshtein', value: 'abc', threshold: 0 }, 'abd')).toMatchObject({
      pass: false,
    });
  });

  it('counts an emoji as one character and scores two empty strings 1', async () => {
    expect(await run({ type: 'levenshtein', value: '😀', threshold: 1 }, '😃')).toMatchObject({
      pass: true,
      score: 0,
    });
    expect(await run({ type: 'levenshtein', value: '', threshold: 0 }, '')).toMatchObject({
      pass: true,
      score: 1,
    });
  });

  it('compares long texts that differ little, and errors when they differ too much to compare', async () => {
    const long = 'x'.repeat(50_000);
    expect(await run({ type: 'levenshtein', value: `${long}a${long}` }, `${long}b${long}`)).toMatchObject({
      pass: true,
    });
    const side = Math.ceil(Math.sqrt(maxLevenshteinCells)) + 1;
    expect(await run({ type: 'levenshtein', value: 'a'.repeat(side) }, 'b'.repeat(side))).toMatchObject({
      status: 'errored',
      error: { code: 'assertion_input_too_large' },
    });
  });

  it('refuses a value that is not a string', () => {
    expect(validateAssertions([{ type: 'levenshtein', value: ['a'] }], 'c')).toEqual([
      'c.assert[0] (levenshtein): value must be the expected string, got an array',
    ]);
  });
});

describe('rouge-n', () => {
  it('scores unigram recall of the reference, lower-cased, split on punctuation', async () => {
    // Reference tokens: the, cat, sat, on, the, mat; the output has the (once), cat, mat.
    expect(await run({ type: 'rouge-n', value: 'The cat sat on the mat.' }, 'THE CAT; a MAT')).toEqual({
      status: 'scored',
      pass: false,
      score: 0.5,
      reason: 'ROUGE-1 recall 0.50 is below the threshold 0.75',
    });
    expect(
      await run({ type: 'rouge-n', value: 'The cat sat on the mat.', threshold: 0.5 }, 'THE CAT; a MAT'),
    ).toMatchObject({
      pass: true,
      reason: 'ROUGE-1 recall 0.50 is at least the threshold 0.5',
    });
  });

  it('uses longer n-grams from { reference, n }', async () => {
    // Reference bigrams: "the cat", "cat sat", "sat down"; the output has "the cat" and "sat down".
    expect(
      await run({ type: 'rouge-n', value: { reference: 'the cat sat down', n: 2 } }, 'the cat then sat down'),
    ).toMatchObject({
      score: 2 / 3,
      reason: 'ROUGE-2 recall 0.67 is below the threshold 0.75',
    });
  });

  it('scores 0 for an empty output', async () => {
    expect(await run({ type: 'rouge-n', value: 'a b' }, '')).toMatchObject({ pass: false, score: 0 });
  });

  it('refuses a reference shorter than n, and unknown value fields', () => {
    expect(validateAssertions([{ type: 'rouge-n', value: { reference: 'one', n: 2 } }], 'c')).toEqual([
      'c.assert[0] (rouge-n): value must have at least 2 word(s) for ROUGE-2',
    ]);
    expect(validateAssertions([{ type: 'rouge-n', value: { ref: 'one' } }], 'c')).toEqual([
      'c.assert[0] (rouge-n): value has unknown field(s) ref; use reference and n',
    ]);
  });

  it('errors when a templated reference renders shorter than n', async () => {
    expect(
      await run({ type: 'rouge-n', value: { reference: '{{text}}', n: 3 } }, 'a b c', { text: 'a b' }),
    ).toEqual({
      status: 'errored',
      error: { code: 'assertion_value_invalid', message: 'the reference has 2 word(s), fewer than n = 3' },
    });
  });
});
