import { describe, expect, it } from 'vitest';
import { createChatStreamAccumulator } from './chat-stream-accumulator.js';
import type { ChatChunk } from './openai-shapes.js';

// Chunk shapes as OpenAI streams them: the tool call's id and name in its first fragment, the
// arguments in pieces, one chunk per choice index when n > 1, usage alone at the end.
const toolCallChunks: ChatChunk[] = [
  {
    id: 'c1',
    model: 'gpt-4o',
    choices: [{ index: 0, delta: { role: 'assistant', content: null }, finish_reason: null }],
  },
  {
    id: 'c1',
    choices: [
      {
        index: 0,
        delta: {
          tool_calls: [
            { index: 0, id: 'call_a', type: 'function', function: { name: 'lookup', arguments: '' } },
          ],
        },
      },
    ],
  },
  {
    id: 'c1',
    choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"id":' } }] } }],
  },
  { id: 'c1', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '7}' } }] } }] },
  {
    id: 'c1',
    choices: [
      {
        index: 0,
        delta: {
          tool_calls: [
            { index: 1, id: 'call_b', type: 'function', function: { name: 'ping', arguments: '{}' } },
          ],
        },
      },
    ],
  },
  { id: 'c1', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
  { id: 'c1', choices: [], usage: { prompt_tokens: 30, completion_tokens: 12 } },
];

describe('chat stream accumulator', () => {
  it('merges tool-call fragments into whole calls, in order', () => {
    const chat = createChatStreamAccumulator();
    const tokens = toolCallChunks.map((chunk) => chat.add(chunk));
    expect(tokens).toEqual([false, true, true, true, true, false, false]);
    expect(chat.result()).toEqual({
      output: {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'lookup', arguments: '{"id":7}' } },
          { id: 'call_b', type: 'function', function: { name: 'ping', arguments: '{}' } },
        ],
      },
      model: 'gpt-4o',
      usage: { prompt_tokens: 30, completion_tokens: 12 },
      responseId: 'c1',
      finishReasons: ['tool_calls'],
    });
  });

  it('keeps choices apart when n > 1, and collects refusal and reasoning text', () => {
    const chat = createChatStreamAccumulator();
    chat.add({ choices: [{ index: 1, delta: { role: 'assistant', content: 'B' } }] });
    chat.add({ choices: [{ index: 0, delta: { role: 'assistant', reasoning_content: 'think' } }] });
    chat.add({ choices: [{ index: 0, delta: { content: 'A' } }] });
    chat.add({ choices: [{ index: 1, delta: { refusal: 'no' }, finish_reason: 'stop' }] });
    expect(chat.result().output).toEqual([
      { role: 'assistant', content: 'A', reasoning_content: 'think' },
      { role: 'assistant', content: 'B', refusal: 'no' },
    ]);
  });

  it('amounts to nothing for no chunks', () => {
    expect(createChatStreamAccumulator().result()).toMatchObject({ output: null, usage: undefined });
  });
});
