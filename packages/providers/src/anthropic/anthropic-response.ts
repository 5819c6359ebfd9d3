import type { ChatCompletion, ChatToolCall, OpenAIUsage } from '@flywheel/spec';
import type { AnthropicMessage, AnthropicUsage } from './anthropic-messages-types.js';
import { jsonResponseToolName } from './anthropic-request.js';

/** What {@link toChatCompletion} needs besides the answer. */
export interface AnthropicResponseOptions {
  /** The model id to report when the answer names none. */
  modelId: string;
  /** Whether the request asked for JSON through the forced tool (see `toAnthropicRequest`). */
  jsonMode: boolean;
  /** Unix time in seconds (default: now). */
  created?: number;
}

/**
 * Translates a Messages API answer into an OpenAI chat.completion: text blocks joined into
 * `content`, tool_use blocks into `tool_calls`. In JSON mode the forced tool's input is the
 * content and text is dropped. Thinking and server-tool blocks are skipped: OpenAI's format
 * has no place for them.
 *
 * @example
 * const completion = toChatCompletion(message, { modelId: 'claude-sonnet-4-5', jsonMode: false });
 */
export function toChatCompletion(
  message: AnthropicMessage,
  options: AnthropicResponseOptions,
): ChatCompletion {
  const texts: string[] = [];
  const toolCalls: ChatToolCall[] = [];
  let json: string | undefined;
  for (const block of message.content ?? []) {
    if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
    if (block.type !== 'tool_use') continue;
    const argumentsText = JSON.stringify(block.input ?? {});
    if (options.jsonMode && block.name === jsonResponseToolName) {
      json = argumentsText;
      continue;
    }
    toolCalls.push({
      id: block.id ?? '',
      type: 'function',
      function: { name: block.name ?? '', arguments: argumentsText },
    });
  }
  const content = options.jsonMode ? (json ?? null) : texts.length > 0 ? texts.join('') : null;
  return {
    id: message.id ?? '',
    object: 'chat.completion',
    created: options.created ?? Math.floor(Date.now() / 1000),
    model: message.model ?? options.modelId,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: toFinishReason(message.stop_reason, options.jsonMode),
        logprobs: null,
      },
    ],
    usage: toOpenAIUsage(message.usage),
  };
}

/**
 * OpenAI's finish_reason for Anthropic's stop_reason. In JSON mode the forced tool call is the
 * answer itself, so `tool_use` means a complete answer: `stop`.
 */
export function toFinishReason(stopReason: string | null | undefined, jsonMode: boolean): string {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return jsonMode ? 'stop' : 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn, and none reported.
      return 'stop';
  }
}

/**
 * OpenAI usage from Anthropic's. Anthropic's `input_tokens` excludes the tokens read from or
 * written to the prompt cache, while OpenAI's `prompt_tokens` counts every input token, so
 * the three are added; cache reads are also reported as OpenAI's `cached_tokens`.
 */
export function toOpenAIUsage(usage: AnthropicUsage | null | undefined): OpenAIUsage {
  const cacheRead = usage?.cache_read_input_tokens ?? 0;
  const promptTokens = (usage?.input_tokens ?? 0) + cacheRead + (usage?.cache_creation_input_tokens ?? 0);
  const completionTokens = usage?.output_tokens ?? 0;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cacheRead },
  };
}
