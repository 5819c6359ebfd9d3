import { describe, expect, it } from 'vitest';
import {
  apiKeyDisplayParts,
  constantTimeEqual,
  formatApiKeyDisplay,
  generateApiKey,
  isApiKeyFormat,
} from './api-key-format.js';

describe('api key format', () => {
  it('generates fw_sk_ keys with 256 bits of base64url randomness', () => {
    const key = generateApiKey();
    expect(key).toMatch(/^fw_sk_[A-Za-z0-9_-]{43}$/);
    expect(isApiKeyFormat(key)).toBe(true);
    expect(generateApiKey()).not.toBe(key);
  });

  it('rejects keys that are short, foreign or carry other characters', () => {
    expect(isApiKeyFormat('fw_sk_short')).toBe(false);
    expect(isApiKeyFormat(`sk-${'a'.repeat(48)}`)).toBe(false);
    expect(isApiKeyFormat(`fw_sk_${'a'.repeat(42)}!`)).toBe(false);
    expect(isApiKeyFormat(` fw_sk_${'a'.repeat(43)}`)).toBe(false);
  });

  it('displays a key as prefix…suffix without the secret middle', () => {
    const key = `fw_sk_ABCD${'m'.repeat(35)}wxyz`;
    expect(formatApiKeyDisplay(apiKeyDisplayParts(key))).toBe('fw_sk_ABCD…wxyz');
  });

  it('compares strings for equality', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});
