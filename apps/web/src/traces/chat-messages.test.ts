import { describe, expect, it } from 'vitest';
import { toConversation } from './chat-messages.js';

describe('chat messages as a conversation', () => {
  it('reads a list of messages and a text answer, marking the answer as the output', () => {
    const turns = toConversation(
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Where is my refund?' },
      ],
      '<script>alert(1)</script> On its way.',
    );
    expect(turns).toEqual([
      { role: 'system', text: 'Be brief.', toolCalls: [], isOutput: false },
      { role: 'user', text: 'Where is my refund?', toolCalls: [], isOutput: false },
      { role: 'assistant', text: '<script>alert(1)</script> On its way.', toolCalls: [], isOutput: true },
    ]);
  });

  it('reads the gateway shape: a request with messages, the answer message with tool calls', () => {
    const turns = toConversation(
      {
        model: 'chat-default',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in this picture?' },
              { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
            ],
          },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"id":1}' } }],
      },
    );
    expect(turns).toEqual([
      { role: 'user', text: 'What is in this picture?\n[image]', toolCalls: [], isOutput: false },
      { role: 'assistant', text: '', toolCalls: ['lookup({"id":1})'], isOutput: true },
    ]);
  });

  it('takes the first choice of a completion as the answer, and leaves out an output that is no message', () => {
    const input = [{ role: 'user', content: 'Hi' }];
    expect(
      toConversation(input, { choices: [{ message: { role: 'assistant', content: 'Hello' } }] })?.at(-1),
    ).toEqual({ role: 'assistant', text: 'Hello', toolCalls: [], isOutput: true });
    expect(toConversation(input, { embeddings: 3 })).toHaveLength(1);
  });

  it('is not a conversation when the input holds no messages', () => {
    expect(toConversation({ query: 'refund policy' }, 'text')).toBeUndefined();
    expect(toConversation([], 'text')).toBeUndefined();
    expect(toConversation([{ role: 'user', content: 'Hi' }, 'stray'], 'text')).toBeUndefined();
    expect(toConversation(null, null)).toBeUndefined();
  });
});
