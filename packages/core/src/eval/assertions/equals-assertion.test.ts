import { describe, expect, it } from 'vitest';
import type { AssertionConfig } from './assertion.js';
import { runAssertion } from './registry.js';

const run = (config: AssertionConfig, output: string) => runAssertion(config, { output, vars: {} });

describe('equals', () => {
  it('compares strings exactly, without trimming or case folding', async () => {
    expect(await run({ type: 'equals', value: 'Paris' }, 'Paris')).toMatchObject({ pass: true });
    expect(await run({ type: 'equals', value: 'Paris' }, 'paris')).toMatchObject({
      pass: false,
      reason: 'output "paris" does not equal "Paris"',
    });
    expect(await run({ type: 'equals', value: 'Paris' }, 'Paris\n')).toMatchObject({ pass: false });
  });

  it('compares a number or boolean value as its text', async () => {
    expect(await run({ type: 'equals', value: 42 }, '42')).toMatchObject({ pass: true });
    expect(await run({ type: 'equals', value: true }, 'true')).toMatchObject({ pass: true });
    expect(await run({ type: 'equals', value: 42 }, '42.0')).toMatchObject({ pass: false });
  });

  it('compares an object or array value with the output parsed as JSON, in any key order', async () => {
    const value = { answer: 42, tags: ['a', 'b'], nested: { ok: true } };
    expect(
      await run({ type: 'equals', value }, '{"tags":["a","b"],"nested":{"ok":true},"answer":42}'),
    ).toMatchObject({
      pass: true,
    });
    expect(
      await run({ type: 'equals', value }, '{"answer":42,"tags":["b","a"],"nested":{"ok":true}}'),
    ).toMatchObject({
      pass: false,
    });
    expect(
      await run({ type: 'equals', value }, '{"answer":42,"tags":["a","b"],"nested":{"ok":true},"x":1}'),
    ).toMatchObject({
      pass: false,
    });
    expect(await run({ type: 'equals', value: [1, 2] }, ' [1, 2] ')).toMatchObject({ pass: true });
  });

  it('does not equal an object value when the output is not JSON, so not-equals passes', async () => {
    expect(await run({ type: 'equals', value: { a: 1 } }, 'a: 1')).toMatchObject({
      pass: false,
      reason: 'output is not JSON, so it does not equal "{\\"a\\":1}"',
    });
    expect(await run({ type: 'not-equals', value: { a: 1 } }, 'a: 1')).toMatchObject({
      pass: true,
      score: 1,
    });
  });
});
