import { type FakeOpenAIServer, startFakeOpenAI } from '@flywheel/providers/testing';
import type { SpanBody } from '@flywheel/spec';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFlywheelTracer } from '../node/index.js';
import { createMemoryExporter } from './memory-exporter.js';
import { wrapOpenAI } from './wrap-openai.js';

let fake: FakeOpenAIServer;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
afterEach(() =>
  fake.behave((request) => (request.body?.stream === true ? { kind: 'stream' } : { kind: 'json' })),
);

function setup() {
  const exporter = createMemoryExporter();
  const tracer = createFlywheelTracer({ baseUrl: '', apiKey: '', exporter });
  const client = () => new OpenAI({ baseURL: fake.url, apiKey: 'sk-test', maxRetries: 0 });
  return { exporter, tracer, plain: client(), openai: wrapOpenAI(client(), tracer) };
}

type Exporter = ReturnType<typeof createMemoryExporter>;
const created = (exporter: Exporter) =>
  exporter.events.filter((event) => event.type === 'span-create').map((event) => event.body as SpanBody);
const ended = (exporter: Exporter) =>
  exporter.events
    .filter((event) => event.type === 'span-update' && (event.body as SpanBody).end_time)
    .map((event) => event.body as SpanBody);
/** Chunks without the fields that differ from one answer to the next. */
const comparable = (chunks: unknown[]) =>
  chunks.map((chunk) => ({ ...(chunk as object), id: '', created: 0 }));

const streamBody = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user' as const, content: 'Count' }],
  stream: true as const,
};

describe('wrapOpenAI around the official openai client', () => {
  it('records a chat completion as a generation nested under the current span, with usage details and tool calls', async () => {
    const { exporter, tracer, openai } = setup();
    const message = {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"id":7}' } }],
    };
    fake.behave(() => ({
      kind: 'json',
      body: {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-4o-mini-2024-07-18',
        choices: [{ index: 0, message, finish_reason: 'tool_calls' }],
        usage: {
          prompt_tokens: 20,
          completion_tokens: 9,
          total_tokens: 29,
          prompt_tokens_details: { cached_tokens: 16 },
          completion_tokens_details: { reasoning_tokens: 4 },
        },
      },
    }));
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Find order 7' }];
    const completion = await tracer.span({ name: 'handler' }, () =>
      openai.chat.completions.create({ model: 'gpt-4o-mini', messages, temperature: 0 }),
    );
    // A conversation grows after the call; the record keeps what was sent.
    messages.push({ role: 'assistant', content: 'later' });
    expect(completion.choices[0]!.message.tool_calls).toHaveLength(1);
    const [handler, generation] = created(exporter);
    expect(generation).toMatchObject({
      kind: 'generation',
      name: 'chat gpt-4o-mini',
      model: 'gpt-4o-mini',
      provider: 'openai',
      input: [{ role: 'user', content: 'Find order 7' }],
      parent_id: handler!.id,
      attributes: { parameters: { temperature: 0 } },
    });
    const end = ended(exporter).find((span) => span.id === generation!.id)!;
    expect(end).toMatchObject({
      status: 'ok',
      model: 'gpt-4o-mini-2024-07-18',
      output: message,
      usage: { input_tokens: 20, output_tokens: 9, cached_input_tokens: 16, reasoning_tokens: 4 },
      attributes: { 'response.finish_reasons': ['tool_calls'], 'response.id': 'chatcmpl-1' },
    });
  });

  it('records a stream with time to first token and usage, and leaves the caller exactly the chunks it asked for', async () => {
    const { exporter, tracer, openai, plain } = setup();
    const expected: unknown[] = [];
    for await (const chunk of await plain.chat.completions.create(streamBody)) expected.push(chunk);
    const seen: unknown[] = [];
    await tracer.span({ name: 'outer' }, async () => {
      for await (const chunk of await openai.chat.completions.create(streamBody)) seen.push(chunk);
    });
    expect(comparable(seen)).toEqual(comparable(expected));
    expect(fake.requests.at(-1)!.body?.stream_options).toEqual({ include_usage: true });
    const [outer, generation] = created(exporter);
    expect(generation!.parent_id).toBe(outer!.id);
    const end = ended(exporter).find((span) => span.id === generation!.id)!;
    expect(end.usage).toEqual({ input_tokens: 12, output_tokens: 5 });
    expect(end.time_to_first_token_ms).toBeGreaterThanOrEqual(0);
    expect(end.output).toEqual({ role: 'assistant', content: 'Hello from the fake model' });
    expect(end.attributes).toMatchObject({ 'response.finish_reasons': ['stop'] });
    expect(end.status).toBe('ok');
  });

  it("passes the usage chunk on when the caller asked for it, and sends the caller's stream_options", async () => {
    const { exporter, openai } = setup();
    const body = { ...streamBody, stream_options: { include_usage: true } };
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of await openai.chat.completions.create(body)) chunks.push(chunk);
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 12 });
    expect(ended(exporter)[0]!.usage).toEqual({ input_tokens: 12, output_tokens: 5 });
  });

  it('keeps the Stream object usable: tee() and toReadableStream() see the same chunks, recorded once', async () => {
    const { exporter, openai } = setup();
    const stream = await openai.chat.completions.create(streamBody);
    expect(typeof stream.controller.abort).toBe('function');
    const [left, right] = stream.tee();
    const leftChunks: unknown[] = [];
    for await (const chunk of left) leftChunks.push(chunk);
    const rightChunks: unknown[] = [];
    for await (const chunk of right) rightChunks.push(chunk);
    expect(rightChunks).toEqual(leftChunks);
    expect(leftChunks.some((chunk) => (chunk as { usage?: unknown }).usage !== undefined)).toBe(false);
    expect(ended(exporter)).toHaveLength(1);
    expect(ended(exporter)[0]!.output).toMatchObject({ content: 'Hello from the fake model' });

    const readable = (await openai.chat.completions.create(streamBody)).toReadableStream();
    const text = await new Response(readable).text();
    expect(text.trim().split('\n')).toHaveLength(6);
    expect(ended(exporter)).toHaveLength(2);
  });

  it('ends the span with what arrived when the caller stops reading early', async () => {
    const { exporter, openai } = setup();
    for await (const chunk of await openai.chat.completions.create(streamBody)) {
      if (chunk.choices[0]?.delta.content === ' from') break;
    }
    expect(ended(exporter)[0]).toMatchObject({
      status: 'ok',
      output: { content: 'Hello from' },
      attributes: { 'stream.cancelled': true },
    });
  });

  it('records a stream that fails midway as an error, with the partial output', async () => {
    const { exporter, openai } = setup();
    fake.behave(() => ({ kind: 'stream', errorAfter: 2 }));
    const stream = await openai.chat.completions.create(streamBody);
    await expect(async () => {
      for await (const _chunk of stream) {
        // read on
      }
    }).rejects.toThrow('fake stream failure');
    expect(ended(exporter)[0]).toMatchObject({ status: 'error', output: { content: 'Hello from' } });
  });

  it('records embeddings without their vectors', async () => {
    const { exporter, openai } = setup();
    // 'float': the fake answers floats whatever is asked, and the client would decode them as base64.
    await openai.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['a', 'b'],
      encoding_format: 'float',
    });
    expect(created(exporter)[0]).toMatchObject({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(ended(exporter)[0]).toMatchObject({
      status: 'ok',
      output: { embeddings: 2, dimensions: 3 },
      usage: { input_tokens: 8, output_tokens: 0 },
    });
  });

  it('records a refused call as an error and rethrows the client error', async () => {
    const { exporter, openai } = setup();
    fake.behave(() => ({ kind: 'json', status: 400 }));
    await expect(
      openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    expect(ended(exporter)[0]).toMatchObject({ status: 'error', attributes: { 'http.status': 400 } });
    expect(ended(exporter)[0]!.status_message).toContain('400');
  });

  it('keeps withResponse(), asResponse() and the rest of the client working', async () => {
    const { exporter, openai } = setup();
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'x' }] };
    const { data, response } = await openai.chat.completions.create(body).withResponse();
    expect(response.status).toBe(200);
    expect(data.choices[0]!.message.content).toBe('Hello from the fake model');
    expect(ended(exporter)[0]).toMatchObject({ output: { content: 'Hello from the fake model' } });

    const raw = await openai.chat.completions.create(body).asResponse();
    expect(((await raw.json()) as { object: string }).object).toBe('chat.completion');
    expect(ended(exporter)[1]).toMatchObject({ status: 'ok', attributes: { 'http.status': 200 } });

    const models = openai.models;
    expect(typeof models.list).toBe('function');
    expect(openai.chat.completions).toBe(openai.chat.completions);
    expect(openai.baseURL).toBe(fake.url);
  });
});
