import type { ChatCompletionChunk } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import { captureChunk, captureStreamText, newStreamCapture } from './stream-capture.js';

const chunk = (
  delta: ChatCompletionChunk['choices'][number]['delta'],
  finish: string | null = null,
): ChatCompletionChunk => ({
  id: 'c',
  object: 'chat.completion.chunk',
  created: 0,
  model: 'm',
  choices: [{ index: 0, delta, finish_reason: finish }],
});

describe('stream capture', () => {
  it('joins content deltas and records when the first token came', () => {
    const capture = newStreamCapture();
    captureChunk(capture, chunk({ role: 'assistant' }), 1);
    captureChunk(capture, chunk({ content: 'Hel' }), 5);
    captureChunk(capture, chunk({ content: 'lo' }, 'stop'), 9);
    expect(capture).toMatchObject({ content: 'Hello', firstTokenMs: 5, finishReason: 'stop', model: 'm' });
  });

  it('assembles tool calls whose name comes once and whose arguments come in pieces', () => {
    const capture = newStreamCapture();
    captureChunk(
      capture,
      chunk({
        tool_calls: [
          { index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '' } },
        ],
      }),
      2,
    );
    captureChunk(capture, chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }), 3);
    captureChunk(capture, chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }), 4);
    captureChunk(
      capture,
      chunk(
        { tool_calls: [{ index: 1, id: 'call_2', function: { name: 'time', arguments: '{}' } }] },
        'tool_calls',
      ),
      5,
    );
    expect(capture.toolCalls).toEqual([
      { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"city":"Paris"}' } },
      { id: 'call_2', type: 'function', function: { name: 'time', arguments: '{}' } },
    ]);
    expect(capture.firstTokenMs).toBe(2);
  });

  it('keeps the usage of the usage-only chunk', () => {
    const capture = newStreamCapture();
    const usageChunk = { ...chunk({}), choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } };
    captureChunk(capture, usageChunk, 7);
    expect(capture.usage).toEqual({ prompt_tokens: 3, completion_tokens: 2 });
  });
});

describe('captureStreamText', () => {
  const event = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;

  it('reads a forwarded stream back, with the time of the first token from its event', () => {
    const text =
      ': keep-alive\n\n' +
      event(chunk({ role: 'assistant', content: '' })) +
      event(chunk({ content: 'Hel' })) +
      event(chunk({ content: 'lo' }, 'stop')) +
      event({ ...chunk({}), choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } }) +
      'data: [DONE]\n\n';
    const capture = captureStreamText(text, [1, 2, 5, 9, 10, 11]);
    expect(capture).toMatchObject({ content: 'Hello', finishReason: 'stop', firstTokenMs: 5, model: 'm' });
    expect(capture.usage).toEqual({ prompt_tokens: 3, completion_tokens: 2 });
  });

  it('understands \\r\\n line ends and skips data that is not JSON', () => {
    const text = `data: ${JSON.stringify(chunk({ content: 'a' }))}\r\n\r\ndata: {oops\n\ndata: ${JSON.stringify(chunk({ content: 'b' }))}\n\n`;
    const capture = captureStreamText(text, [3, 4, 8]);
    expect(capture.content).toBe('ab');
    expect(capture.firstTokenMs).toBe(3);
  });

  it('gives an empty capture for an empty stream', () => {
    expect(captureStreamText('', [])).toMatchObject({
      content: '',
      usage: undefined,
      firstTokenMs: undefined,
    });
  });
});
