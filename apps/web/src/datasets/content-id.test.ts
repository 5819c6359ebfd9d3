import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentDigest, sha256Hex, stableStringify } from './content-id.js';

describe('sha256Hex', () => {
  it('agrees with node:crypto on empty, multi-block and non-ASCII text, at every padding boundary', () => {
    const texts = ['', 'abc', 'é ünïcode ✓ 🚀', 'x'.repeat(1000)];
    for (let length = 50; length <= 130; length++) texts.push('a'.repeat(length));
    for (const text of texts) {
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text).digest('hex'));
    }
  });
});

describe('contentDigest', () => {
  it('sorts keys and leaves out undefined members, so key order does not change the id', () => {
    expect(stableStringify({ b: 1, a: [{ d: null, c: undefined }] })).toBe('{"a":[{"d":null}],"b":1}');
    expect(contentDigest({ input: { a: 1, b: 2 } })).toBe(
      contentDigest({ input: { b: 2, a: 1 }, metadata: {} }),
    );
  });

  it('makes the digest flywheel datasets import makes for the same content', () => {
    // From the CLI's readImportFile on the same rows (packages/cli/src/commands/dataset-import-file.ts).
    expect(
      contentDigest({
        input: { question: 'Where is my refund?' },
        expected_output: 'billing',
        metadata: { source: 'email' },
      }),
    ).toBe('5ae6e85e26b0bef41ba65c77');
    expect(
      contentDigest({ input: { q: 'é ünïcode ✓', n: [1, 2] }, expected_output: { x: 1 }, metadata: {} }),
    ).toBe('69d15031cb02046618d66eee');
  });
});
