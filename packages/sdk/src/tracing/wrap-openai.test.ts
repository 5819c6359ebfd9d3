import { startFakeOpenAI } from '@flywheel/providers/testing';
import type { SpanBody } from '@flywheel/spec';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlywheelTracer } from '../node/index.js';
import { createMemoryExporter } from './memory-exporter.js';
import { wrapOpenAI } from './wrap-openai.js';

let fake: Awaited<ReturnType<typeof startFakeOpenAI>>;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());

function setup() {
  const exporter = createMemoryExporter();
  const tracer = createFlywheelTracer({ baseUrl: '', apiKey: '', exporter });
  const plain = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
  return {
    exporter,
    tracer,
    plain,
    openai: wrapOpenAI(new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'sk-test', maxRetries: 0 }), tracer),
  };
}

const ended = (exporter: ReturnType<typeof createMemoryExporter>) =>
  exporter.events.filter((event) => event.type === 'span-update').map((event) => event.body as SpanBody);
const created = (exporter: ReturnType<typeof createMemoryExporter>) =>
  exporter.events.filter((event) => event.type === 'span-create').map((event) => event.body as SpanBody);

describe('wrapOpenAI around the official openai client', () => {
  it('records a chat completion as a generation with usage, nested under the current span', async () => {
    const { exporter, tracer, openai } = setup();
    const messages = [{ role: 'user' as const, content: 'Say hi' }];
    const completion = await tracer.span({ name: 'handler' }, () =>
      openai.chat.completions.create({ model: 'gpt-4o-mini', messages }),
    );
    expect(completion.choices[0]!.message.content).toBeTruthy();
    const [handler, generation] = created(exporter);
    expect(generation).toMatchObject({
      kind: 'generation',
      model: 'gpt-4o-mini',
      input: messages,
      parent_id: handler!.id,
    });
    const end = ended(exporter).find((span) => span.id === generation!.id)!;
    expect(end.usage).toEqual({
      input_tokens: completion.usage!.prompt_tokens,
      output_tokens: completion.usage!.completion_tokens,
    });
    expect(end.output).toEqual(completion.choices[0]!.message);
    expect(end.status).toBe('ok');
  });

  it('records a stream with time to first token and usage, and leaves the caller the chunks it asked for', async () => {
    const { exporter, openai, plain } = setup();
    const body = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user' as const, content: 'Count' }],
      stream: true as const,
    };
    const expected: unknown[] = [];
    for await (const chunk of await plain.chat.completions.create(body)) expected.push(chunk);
    const seen: unknown[] = [];
    for await (const chunk of await openai.chat.completions.create(body)) seen.push(chunk);
    const strip = (chunks: unknown[]) =>
      chunks.map((chunk) => ({ ...(chunk as object), id: '', created: 0 }));
    expect(strip(seen)).toEqual(strip(expected));
    expect(fake.requests.at(-1)!.body?.stream_options).toEqual({ include_usage: true });
    const end = ended(exporter)[0]!;
    expect(end.usage?.input_tokens).toBeGreaterThan(0);
    expect(end.usage?.output_tokens).toBeGreaterThan(0);
    expect(end.time_to_first_token_ms).toBeGreaterThanOrEqual(0);
    const text = expected
      .map(
        (chunk) =>
          (chunk as { choices: Array<{ delta?: { content?: string } }> }).choices[0]?.delta?.content ?? '',
      )
      .join('');
    expect(end.output).toMatchObject({ role: 'assistant', content: text });
  });

  it('records embeddings, and a failed call as an error', async () => {
    const { exporter, openai } = setup();
    await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    fake.behave(() => ({ kind: 'json', status: 400 }));
    await expect(
      openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toThrow();
    fake.behave((request) => (request.body?.stream === true ? { kind: 'stream' } : { kind: 'json' }));
    const [embedding, failed] = ended(exporter);
    expect(embedding).toMatchObject({
      status: 'ok',
      output: { embeddings: 2 },
      usage: { input_tokens: 8, output_tokens: 0 },
    });
    expect(failed).toMatchObject({ status: 'error' });
  });

  it('keeps the rest of the client untouched', async () => {
    const { openai } = setup();
    const response = await openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] })
      .withResponse();
    expect(response.response.status).toBe(200);
    expect(typeof openai.models.list).toBe('function');
  });
});
