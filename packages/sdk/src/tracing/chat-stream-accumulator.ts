import type { ChatChunk, OpenAIUsage } from './openai-shapes.js';

interface ToolCallState {
  id?: string;
  type: string;
  name: string;
  arguments: string[];
}

interface ChoiceState {
  role: string;
  content: string[];
  refusal: string[];
  reasoning: string[];
  toolCalls: Map<number, ToolCallState>;
  finishReason: string | null;
}

/** What a streamed chat completion amounted to, once its chunks are merged. */
export interface AccumulatedChat {
  /** The assistant message (an array of them when `n` > 1), in the non-streaming shape. */
  output: unknown;
  model: string | undefined;
  usage: OpenAIUsage | undefined;
  responseId: string | undefined;
  finishReasons: Array<string | null>;
}

/** Merges the chunks of one streamed chat completion; see {@link createChatStreamAccumulator}. */
export interface ChatStreamAccumulator {
  /** Takes one chunk; `true` when it carried a token (text, refusal, reasoning or a tool call). */
  add(chunk: ChatChunk): boolean;
  /** What the chunks so far amount to. */
  result(): AccumulatedChat;
}

/**
 * Merges streamed `chat.completion.chunk`s into what the non-streaming answer would have been:
 * content, refusal and reasoning text, and tool calls whose id and name come in the first
 * fragment and whose arguments arrive in pieces. Text is kept in arrays and joined once.
 *
 * @example
 * const chat = createChatStreamAccumulator();
 * for await (const chunk of stream) chat.add(chunk);
 * chat.result().output; // { role: 'assistant', content: 'Hello!' }
 */
export function createChatStreamAccumulator(): ChatStreamAccumulator {
  const choices = new Map<number, ChoiceState>();
  let model: string | undefined;
  let usage: OpenAIUsage | undefined;
  let responseId: string | undefined;

  return {
    add(chunk: ChatChunk): boolean {
      if (typeof chunk.model === 'string' && chunk.model !== '') model = chunk.model;
      if (typeof chunk.id === 'string') responseId ??= chunk.id;
      if (chunk.usage) usage = chunk.usage;
      let carriedToken = false;
      for (const choice of chunk.choices ?? []) {
        const index = typeof choice.index === 'number' ? choice.index : 0;
        let state = choices.get(index);
        if (!state) {
          state = {
            role: 'assistant',
            content: [],
            refusal: [],
            reasoning: [],
            toolCalls: new Map(),
            finishReason: null,
          };
          choices.set(index, state);
        }
        if (choice.finish_reason) state.finishReason = choice.finish_reason;
        const delta = choice.delta;
        if (!delta) continue;
        if (delta.role) state.role = delta.role;
        for (const [text, parts] of [
          [delta.content, state.content],
          [delta.refusal, state.refusal],
          [delta.reasoning_content, state.reasoning],
        ] as const) {
          if (typeof text === 'string' && text !== '') {
            parts.push(text);
            carriedToken = true;
          }
        }
        for (const call of delta.tool_calls ?? []) {
          carriedToken = true;
          const callIndex = typeof call.index === 'number' ? call.index : state.toolCalls.size;
          let known = state.toolCalls.get(callIndex);
          if (!known) {
            known = { type: 'function', name: '', arguments: [] };
            state.toolCalls.set(callIndex, known);
          }
          if (call.id) known.id = call.id;
          if (call.type) known.type = call.type;
          // Providers send the name whole in the first fragment; some repeat it: keep the first.
          if (call.function?.name && known.name === '') known.name = call.function.name;
          if (call.function?.arguments) known.arguments.push(call.function.arguments);
        }
      }
      return carriedToken;
    },

    result(): AccumulatedChat {
      const ordered = [...choices.entries()]
        .sort(([left], [right]) => left - right)
        .map(([, state]) => state);
      const messages = ordered.map(message);
      return {
        output: messages.length === 1 ? messages[0] : messages.length === 0 ? null : messages,
        model,
        usage,
        responseId,
        finishReasons: ordered.map((state) => state.finishReason),
      };
    },
  };
}

function message(state: ChoiceState): Record<string, unknown> {
  const result: Record<string, unknown> = {
    role: state.role,
    content: state.content.length > 0 ? state.content.join('') : null,
  };
  if (state.refusal.length > 0) result.refusal = state.refusal.join('');
  if (state.reasoning.length > 0) result.reasoning_content = state.reasoning.join('');
  if (state.toolCalls.size > 0) {
    result.tool_calls = [...state.toolCalls.entries()]
      .sort(([left], [right]) => left - right)
      .map(([, call]) => ({
        ...(call.id !== undefined ? { id: call.id } : {}),
        type: call.type,
        function: { name: call.name, arguments: call.arguments.join('') },
      }));
  }
  return result;
}
