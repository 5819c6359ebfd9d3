import type { OpenAIUsage } from '@flywheel/spec';

/**
 * Tokens of one model call, in OpenAI's semantics: `inputTokens` includes `cachedInputTokens`,
 * and `outputTokens` includes `reasoningTokens`.
 */
export interface TokenUsage {
  /** Prompt tokens, cached ones included. */
  inputTokens: number;
  /** Completion tokens, reasoning tokens included. */
  outputTokens: number;
  /** The part of `inputTokens` served from the provider's prompt cache, when reported. */
  cachedInputTokens?: number;
  /** The part of `outputTokens` spent on hidden reasoning, when reported. */
  reasoningTokens?: number;
  /** true when counted by Flywheel's tokenizer because the provider reported none */
  estimated: boolean;
}

/**
 * Reads the usage an OpenAI-compatible provider reported. Returns `undefined` when the prompt or
 * completion count is missing, so the caller can fall back to an estimate instead of recording 0.
 *
 * @example
 * const usage = usageFromOpenAI(completion.usage) ?? (await estimateChatUsage({ model, messages, outputText }));
 */
export function usageFromOpenAI(usage: OpenAIUsage | null | undefined): TokenUsage | undefined {
  const inputTokens = tokenCount(usage?.prompt_tokens);
  const outputTokens = tokenCount(usage?.completion_tokens);
  if (inputTokens === undefined || outputTokens === undefined) return undefined;
  const result: TokenUsage = { inputTokens, outputTokens, estimated: false };
  const cachedInputTokens = tokenCount(usage?.prompt_tokens_details?.cached_tokens);
  if (cachedInputTokens !== undefined) result.cachedInputTokens = cachedInputTokens;
  const reasoningTokens = tokenCount(usage?.completion_tokens_details?.reasoning_tokens);
  if (reasoningTokens !== undefined) result.reasoningTokens = reasoningTokens;
  return result;
}

// Vendors behind the OpenAI-compatible kind send nulls, strings or negative numbers now and then;
// anything that is not a count is treated as not reported rather than trusted.
function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
