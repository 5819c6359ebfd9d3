import { describe, expect, it } from 'vitest';
import { newId } from './new-id.js';

describe('newId', () => {
  it('makes prefixed ids of 16 base-32 characters', () => {
    expect(newId('proj')).toMatch(/^proj_[0-9a-hjkmnp-tv-z]{16}$/);
  });

  it('does not repeat across many draws, including across random-pool refills', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId('x')));
    expect(ids.size).toBe(10_000);
  });
});
