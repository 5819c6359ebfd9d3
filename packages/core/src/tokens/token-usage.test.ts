import { describe, expect, it } from 'vitest';
import { usageFromOpenAI } from './token-usage.js';

describe('usageFromOpenAI', () => {
  it('reads prompt, completion, cached and reasoning tokens', () => {
    expect(
      usageFromOpenAI({
        prompt_tokens: 1200,
        completion_tokens: 300,
        total_tokens: 1500,
        prompt_tokens_details: { cached_tokens: 1024 },
        completion_tokens_details: { reasoning_tokens: 256 },
      }),
    ).toEqual({
      inputTokens: 1200,
      outputTokens: 300,
      cachedInputTokens: 1024,
      reasoningTokens: 256,
      estimated: false,
    });
  });

  it('leaves out the details a provider did not report', () => {
    const usage = usageFromOpenAI({
      prompt_tokens: 12,
      completion_tokens: 3,
      prompt_tokens_details: null,
      completion_tokens_details: { reasoning_tokens: null },
    });
    expect(usage).toEqual({ inputTokens: 12, outputTokens: 3, estimated: false });
    expect(usage).not.toHaveProperty('cachedInputTokens');
    expect(usage).not.toHaveProperty('reasoningTokens');
  });

  it('keeps a reported zero, which differs from not reported', () => {
    expect(
      usageFromOpenAI({
        prompt_tokens: 0,
        completion_tokens: 0,
        prompt_tokens_details: { cached_tokens: 0 },
      }),
    ).toEqual({ inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, estimated: false });
  });

  it('gives undefined when usage or either main count is missing, so the caller estimates', () => {
    expect(usageFromOpenAI(undefined)).toBeUndefined();
    expect(usageFromOpenAI(null)).toBeUndefined();
    expect(usageFromOpenAI({})).toBeUndefined();
    expect(usageFromOpenAI({ prompt_tokens: 10 })).toBeUndefined();
    expect(usageFromOpenAI({ prompt_tokens: null, completion_tokens: 5, total_tokens: 5 })).toBeUndefined();
  });

  it('treats counts that are not whole non-negative numbers as not reported', () => {
    expect(usageFromOpenAI({ prompt_tokens: -1, completion_tokens: 5 })).toBeUndefined();
    expect(usageFromOpenAI({ prompt_tokens: 1.5, completion_tokens: 5 })).toBeUndefined();
    const lenient = { prompt_tokens: '10', completion_tokens: 5 } as unknown as Parameters<
      typeof usageFromOpenAI
    >[0];
    expect(usageFromOpenAI(lenient)).toBeUndefined();
  });
});
