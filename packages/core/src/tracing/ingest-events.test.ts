import { describe, expect, it } from 'vitest';
import { capPayload } from './cap-payload.js';

describe('trace payload cap', () => {
  it('measures and cuts in UTF-8 bytes, not characters', () => {
    const capped = capPayload({ text: '€'.repeat(200) }, 300);
    expect(capped.truncated).toBe(true);
    const preview = (capped.value as { preview: string }).preview;
    expect(new TextEncoder().encode(preview).length).toBeLessThanOrEqual(300);
    expect(preview).not.toContain('\uFFFD');
    expect(capPayload({ text: 'short' }, 300)).toEqual({ value: { text: 'short' }, truncated: false });
    // Just over the cap in bytes, though well under it in characters.
    expect(capPayload('é'.repeat(150), 300).truncated).toBe(true);
    expect(capPayload(undefined, 300)).toEqual({ value: null, truncated: false });
  });
});
