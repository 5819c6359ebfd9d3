import type { SpanBody } from '@flywheel/spec';
import { describe, expect, it } from 'vitest';
import { createFlywheelTracer } from './flywheel-tracer.js';
import { createMemoryExporter } from './memory-exporter.js';
import type { ChatChunk } from './openai-shapes.js';
import { traceChatStream } from './traced-chat-stream.js';

function chunks(): ChatChunk[] {
  return [
    { id: 'c', model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: '' } }], usage: null },
    {
      id: 'c',
      choices: [
        {
          index: 0,
          delta: { tool_calls: [{ index: 0, id: 't', function: { name: 'f', arguments: '{}' } }] },
        },
      ],
      usage: null,
    },
    { id: 'c', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }], usage: null },
    { id: 'c', choices: [], usage: { prompt_tokens: 4, completion_tokens: 2 } },
  ];
}

function setup() {
  const exporter = createMemoryExporter();
  const tracer = createFlywheelTracer({ baseUrl: '', apiKey: '', exporter });
  const span = tracer.generation({ name: 'g' });
  const stream = {
    async *[Symbol.asyncIterator]() {
      yield* chunks();
    },
  };
  const end = () => exporter.events.at(-2)!.body as SpanBody;
  return { span, stream, end };
}

describe('traced chat stream', () => {
  it('hides what include_usage added when the wrapper asked for it, and records the tool call', async () => {
    const { span, stream, end } = setup();
    traceChatStream(stream, { span, startedAt: performance.now(), hideUsage: true });
    const seen: ChatChunk[] = [];
    for await (const chunk of stream) seen.push(chunk);
    expect(seen).toHaveLength(3);
    expect(seen.every((chunk) => !('usage' in chunk))).toBe(true);
    expect(end()).toMatchObject({
      status: 'ok',
      output: { tool_calls: [{ id: 't', function: { name: 'f', arguments: '{}' } }] },
      usage: { input_tokens: 4, output_tokens: 2 },
      model: 'm',
    });
    expect(end().time_to_first_token_ms).not.toBeUndefined();
  });

  it('passes every chunk on untouched otherwise', async () => {
    const { span, stream } = setup();
    traceChatStream(stream, { span, startedAt: performance.now(), hideUsage: false });
    const seen: ChatChunk[] = [];
    for await (const chunk of stream) seen.push(chunk);
    expect(seen).toEqual(chunks());
  });
});
