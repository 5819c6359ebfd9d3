import type { TokenUsage } from './tracer-types.js';

// The parts of `openai` (v4 to v6) answers the wrapper reads, typed structurally so the SDK does
// not depend on the package. Read defensively: OpenAI-compatible servers leave fields out.

/** `usage` of a chat completion, a stream's last chunk, or an embeddings answer. */
export interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

/** One streamed tool-call fragment. */
export interface ToolCallDelta {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

/** A `chat.completion.chunk`. */
export interface ChatChunk {
  id?: string;
  model?: string;
  choices?: Array<{
    index?: number;
    delta?: {
      role?: string;
      content?: string | null;
      refusal?: string | null;
      /** DeepSeek, vLLM and others stream reasoning here. */
      reasoning_content?: string | null;
      tool_calls?: ToolCallDelta[];
    } | null;
    finish_reason?: string | null;
  }>;
  usage?: OpenAIUsage | null;
}

/** A `chat.completion`. */
export interface ChatCompletion {
  id?: string;
  model?: string;
  choices?: Array<{ index?: number; message?: unknown; finish_reason?: string | null }>;
  usage?: OpenAIUsage | null;
}

/** The tracer's token usage of an OpenAI `usage` object; `undefined` when it reports none. */
export function tokenUsage(usage: OpenAIUsage | null | undefined): TokenUsage | undefined {
  if (!usage || typeof usage.prompt_tokens !== 'number') return undefined;
  const result: TokenUsage = {
    inputTokens: usage.prompt_tokens,
    outputTokens: typeof usage.completion_tokens === 'number' ? usage.completion_tokens : 0,
  };
  const cached = usage.prompt_tokens_details?.cached_tokens;
  if (typeof cached === 'number') result.cachedInputTokens = cached;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  if (typeof reasoning === 'number') result.reasoningTokens = reasoning;
  return result;
}

/** Whether `value` is a plain-ish object whose fields can be read. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
