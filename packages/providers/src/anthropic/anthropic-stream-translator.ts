import type { ChatCompletionChunk, ChatToolCall } from '@flywheel/spec';
import { anthropicStreamError } from './anthropic-errors.js';
import type { AnthropicStreamEvent, AnthropicUsage } from './anthropic-messages-types.js';
import { jsonResponseToolName } from './anthropic-request.js';
import { toFinishReason, toOpenAIUsage } from './anthropic-response.js';

/** What {@link createAnthropicStreamTranslator} needs to know about the request. */
export interface AnthropicStreamOptions {
  /** The model id to report until `message_start` names one. */
  modelId: string;
  /** Whether the request asked for JSON through the forced tool. */
  jsonMode: boolean;
  /** Whether the client asked for a usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
  /** Unix time in seconds stamped on every chunk (default: now). */
  created?: number;
}

/** Turns Anthropic stream events, one at a time, into OpenAI chunks. */
export interface AnthropicStreamTranslator {
  /** The chunks one event becomes (often none); throws an UpstreamError for an `error` event. */
  translate(event: AnthropicStreamEvent): ChatCompletionChunk[];
  /** True once `message_stop` arrived: the answer is complete. */
  readonly finished: boolean;
}

/** What each content block of the answer turns into. */
type BlockRole =
  | { kind: 'text' }
  | { kind: 'tool'; toolIndex: number }
  | { kind: 'json' }
  | { kind: 'skipped' };

/**
 * The state machine behind a translated stream. Every chunk carries the same id, created and
 * model; the first carries `role: 'assistant'`. Tool calls are numbered in the order they start,
 * as OpenAI numbers them, whatever their block index. After `message_stop` come a chunk with the
 * finish_reason and, when asked for, a usage chunk with no choices.
 *
 * @example
 * const translator = createAnthropicStreamTranslator({ modelId: 'claude-sonnet-4-5', jsonMode: false, includeUsage: true });
 * for (const event of events) for (const chunk of translator.translate(event)) send(chunk);
 */
export function createAnthropicStreamTranslator(options: AnthropicStreamOptions): AnthropicStreamTranslator {
  let id = '';
  let model = options.modelId;
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const usage: AnthropicUsage = {};
  let stopReason: string | null | undefined;
  let roleSent = false;
  let finished = false;
  let toolCount = 0;
  const blocks = new Map<number, BlockRole>();

  function chunk(
    delta: ChatCompletionChunk['choices'][number]['delta'],
    finishReason: string | null = null,
  ): ChatCompletionChunk {
    const withRole = roleSent ? delta : { role: 'assistant', ...delta };
    roleSent = true;
    return {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta: withRole, finish_reason: finishReason }],
    };
  }

  function mergeUsage(next: AnthropicUsage | null | undefined): void {
    if (!next) return;
    // `message_delta` counts are cumulative, and newer API versions repeat the input counts there:
    // the latest reported value of each field wins, as in Anthropic's own SDKs.
    for (const key of [
      'input_tokens',
      'output_tokens',
      'cache_creation_input_tokens',
      'cache_read_input_tokens',
    ] as const) {
      const value = next[key];
      if (typeof value === 'number') usage[key] = value;
    }
  }

  function startBlock(event: AnthropicStreamEvent): ChatCompletionChunk[] {
    const block = event.content_block;
    const index = event.index ?? -1;
    if (block?.type === 'text') {
      blocks.set(index, { kind: 'text' });
      return block.text && !options.jsonMode ? [chunk({ content: block.text })] : [];
    }
    if (block?.type === 'tool_use') {
      if (options.jsonMode && block.name === jsonResponseToolName) {
        blocks.set(index, { kind: 'json' });
        return [];
      }
      const toolIndex = toolCount++;
      blocks.set(index, { kind: 'tool', toolIndex });
      const call: ChatToolCall = {
        index: toolIndex,
        id: block.id ?? '',
        type: 'function',
        function: { name: block.name ?? '', arguments: '' },
      };
      return [chunk({ tool_calls: [call] })];
    }
    // Thinking, server tools and block types added later have no place in OpenAI's format.
    blocks.set(index, { kind: 'skipped' });
    return [];
  }

  function blockDelta(event: AnthropicStreamEvent): ChatCompletionChunk[] {
    const role = blocks.get(event.index ?? -1);
    const delta = event.delta;
    if (role?.kind === 'text' && delta?.type === 'text_delta' && delta.text && !options.jsonMode) {
      return [chunk({ content: delta.text })];
    }
    if (delta?.type !== 'input_json_delta' || !delta.partial_json) return [];
    if (role?.kind === 'json') return [chunk({ content: delta.partial_json })];
    if (role?.kind === 'tool') {
      return [
        chunk({ tool_calls: [{ index: role.toolIndex, function: { arguments: delta.partial_json } }] }),
      ];
    }
    return [];
  }

  function stop(): ChatCompletionChunk[] {
    finished = true;
    const chunks = [chunk({}, toFinishReason(stopReason, options.jsonMode))];
    if (options.includeUsage) {
      chunks.push({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [],
        usage: toOpenAIUsage(usage),
      });
    }
    return chunks;
  }

  return {
    get finished() {
      return finished;
    },
    translate(event) {
      if (finished) return [];
      switch (event.type) {
        case 'message_start':
          id = event.message?.id ?? id;
          model = event.message?.model ?? model;
          mergeUsage(event.message?.usage);
          // OpenAI opens every stream with the role and empty content; clients wait for it.
          return [chunk({ content: '' })];
        case 'content_block_start':
          return startBlock(event);
        case 'content_block_delta':
          return blockDelta(event);
        case 'message_delta':
          if (event.delta?.stop_reason !== undefined) stopReason = event.delta.stop_reason;
          mergeUsage(event.usage);
          return [];
        case 'message_stop':
          return stop();
        case 'error':
          throw anthropicStreamError(event.error);
        default:
          // ping, content_block_stop, and event types added later.
          return [];
      }
    },
  };
}
