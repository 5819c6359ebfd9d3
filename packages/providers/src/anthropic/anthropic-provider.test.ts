import {
  type ChatCompletionChunk,
  type ChatCompletionRequest,
  type ChatStreamEvent,
  eachStreamEvent,
  type PhaseTimeouts,
  UpstreamError,
} from '@flywheel/spec';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createUndiciTransport, type HttpTransport } from '../transport/http-transport.js';
import { createAnthropic } from './anthropic-provider.js';
import { jsonResponseToolName } from './anthropic-request.js';
import {
  anthropicFixture,
  type FakeAnthropicServer,
  splitEvery,
  startFakeAnthropic,
} from './testing-internal/fake-anthropic-server.js';

const timeouts: PhaseTimeouts = { connectMs: 1000, firstTokenMs: 2000, idleMs: 2000, totalMs: 10_000 };
const chatBody: ChatCompletionRequest = { model: 'alias', messages: [{ role: 'user', content: 'Hello' }] };
const streamBody: ChatCompletionRequest = { ...chatBody, stream: true };

async function collect(events: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const all: ChatStreamEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

async function upstreamError(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!UpstreamError.isUpstream(error)) throw new Error(`expected an UpstreamError, got ${String(error)}`);
  return error;
}

function chunks(events: ChatStreamEvent[]): ChatCompletionChunk[] {
  return events.flatMap((event) => (event.chunk ? [event.chunk] : []));
}

function content(events: ChatStreamEvent[]): string {
  return chunks(events)
    .map((chunk) => chunk.choices[0]?.delta.content ?? '')
    .join('');
}

describe('anthropic provider', () => {
  let fake: FakeAnthropicServer;
  let transport: HttpTransport;
  const model = () =>
    createAnthropic({
      baseUrl: `${fake.url}/`,
      apiKey: 'sk-ant-test',
      transport,
      headers: { 'anthropic-beta': 'test-1' },
    }).languageModel('claude-sonnet-4-5');
  const chat = (body: ChatCompletionRequest, callTimeouts = timeouts) =>
    model().doChat({ body, signal: new AbortController().signal, timeouts: callTimeouts });
  const stream = async (body: ChatCompletionRequest, callTimeouts = timeouts) => {
    const result = await chat(body, callTimeouts);
    if (!result.stream) throw new Error('expected a stream');
    return eachStreamEvent(result.batches);
  };
  const serveStream = (fixture: string, pieceSize = 7) =>
    fake.reply(() => ({ kind: 'sse', pieces: splitEvery(anthropicFixture(fixture), pieceSize) }));

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    transport = createUndiciTransport({ connectTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await transport.close();
    await fake.close();
  });
  afterEach(() => {
    fake.requests.length = 0;
    fake.reply(() => ({ kind: 'json', body: anthropicFixture('messages-text.json') }));
  });

  it('posts a translated Messages request with Anthropic headers and translates the answer', async () => {
    const result = await chat({
      ...chatBody,
      messages: [{ role: 'system', content: 'Be brief.' }, ...chatBody.messages],
    });
    if (result.stream) throw new Error('expected a completion');
    expect(result.raw).toBeUndefined();
    expect(result.body).toMatchObject({
      id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
      object: 'chat.completion',
      model: 'claude-sonnet-4-5-20250929',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hi! My name is Claude.' },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 6197, completion_tokens: 503, prompt_tokens_details: { cached_tokens: 2051 } },
    });
    const sent = fake.requests[0]!;
    expect(sent.url).toBe('/v1/messages');
    expect(sent.headers).toMatchObject({
      'x-api-key': 'sk-ant-test',
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'test-1',
      'content-type': 'application/json',
    });
    expect(sent.body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
    });
  });

  it('uses the configured Anthropic version and default max_tokens', async () => {
    const custom = createAnthropic({
      baseUrl: fake.url,
      apiKey: 'k',
      transport,
      anthropicVersion: '2099-01-01',
      defaultMaxTokens: 64,
    });
    await custom
      .languageModel('claude-haiku-4-5')
      .doChat({ body: chatBody, signal: new AbortController().signal, timeouts });
    expect(fake.requests[0]?.headers['anthropic-version']).toBe('2099-01-01');
    expect(fake.requests[0]?.body).toMatchObject({ model: 'claude-haiku-4-5', max_tokens: 64 });
  });

  it('translates a non-streamed tool_use answer into tool_calls', async () => {
    fake.reply(() => ({ kind: 'json', body: anthropicFixture('messages-tool-use.json') }));
    const result = await chat(chatBody);
    if (result.stream) throw new Error('expected a completion');
    expect(result.body.choices[0]?.finish_reason).toBe('tool_calls');
    expect(result.body.choices[0]?.message.tool_calls?.[0]?.function?.name).toBe('get_weather');
  });

  it('streams text split mid-event as OpenAI chunks, with a usage chunk when asked for, then [DONE]', async () => {
    serveStream('stream-text.sse');
    const events = await collect(await stream({ ...streamBody, stream_options: { include_usage: true } }));
    expect(fake.requests[0]?.body?.stream).toBe(true);
    expect(fake.requests[0]?.body).not.toHaveProperty('stream_options');
    const all = chunks(events);
    expect(all[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    expect(all.slice(1).every((chunk) => chunk.choices[0]?.delta.role === undefined)).toBe(true);
    expect(content(events)).toBe('Hello!');
    expect(
      new Set(all.map((chunk) => `${chunk.id} ${chunk.created} ${chunk.model} ${chunk.object}`)).size,
    ).toBe(1);
    expect(all[0]).toMatchObject({
      id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY',
      model: 'claude-sonnet-4-5-20250929',
      object: 'chat.completion.chunk',
    });
    expect(all.at(-2)?.choices).toEqual([{ index: 0, delta: {}, finish_reason: 'stop' }]);
    expect(all.at(-1)).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: 25,
        completion_tokens: 15,
        total_tokens: 40,
        prompt_tokens_details: { cached_tokens: 0 },
      },
    });
    expect(events.at(-1)).toEqual({ raw: expect.any(Uint8Array), done: true });
    expect(Buffer.from(events.at(-1)!.raw).toString()).toBe('data: [DONE]\n\n');
    for (const event of events.slice(0, -1)) {
      expect(
        JSON.parse(
          Buffer.from(event.raw)
            .toString()
            .replace(/^data: /, ''),
        ),
      ).toEqual(event.chunk);
    }
  });

  it('sends no usage chunk unless the client asked for one', async () => {
    serveStream('stream-text.sse', 64);
    const all = chunks(await collect(await stream(streamBody)));
    expect(all.every((chunk) => chunk.choices.length === 1 && chunk.usage === undefined)).toBe(true);
    expect(all.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('streams tool calls as an opening chunk with id and name, then argument deltas', async () => {
    serveStream('stream-tool-use.sse', 11);
    const all = chunks(await collect(await stream(streamBody)));
    const calls = all.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toEqual({
      index: 0,
      id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    expect(calls.slice(1).every((call) => call.index === 0 && call.id === undefined)).toBe(true);
    const argumentsText = calls.map((call) => call.function?.arguments ?? '').join('');
    expect(JSON.parse(argumentsText)).toEqual({ location: 'San Francisco, CA', unit: 'fahrenheit' });
    expect(all.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(
      "Okay, let's check the weather for San Francisco, CA:",
    );
    expect(all.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('streams the forced tool input as content in JSON mode', async () => {
    serveStream('stream-forced-tool.sse', 13);
    const events = await collect(
      await stream({
        ...streamBody,
        response_format: { type: 'json_object' },
        stream_options: { include_usage: true },
      }),
    );
    expect(fake.requests[0]?.body?.tool_choice).toEqual({ type: 'tool', name: jsonResponseToolName });
    expect(JSON.parse(content(events))).toEqual({ city: 'Paris', population: 2102650 });
    const all = chunks(events);
    expect(all.some((chunk) => chunk.choices[0]?.delta.tool_calls)).toBe(false);
    expect(all.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(all.at(-1)?.usage).toMatchObject({
      prompt_tokens: 612 + 512,
      completion_tokens: 41,
      prompt_tokens_details: { cached_tokens: 512 },
    });
  });

  it('reports a 429 as rate limited with its retry-after', async () => {
    fake.reply(() => ({
      kind: 'json',
      status: 429,
      headers: { 'retry-after': '2' },
      body: anthropicFixture('error-rate-limit.json'),
    }));
    const error = await upstreamError(chat(chatBody));
    expect(error).toMatchObject({
      code: 'upstream_rate_limited',
      retryable: true,
      retryAfterMs: 2000,
      upstreamStatus: 429,
    });
    expect(error.upstreamBody).toMatchObject({ error: { type: 'rate_limit_error' } });
  });

  it('marks a 529 overloaded answer as retryable', async () => {
    fake.reply(() => ({ kind: 'json', status: 529, body: anthropicFixture('error-overloaded.json') }));
    const error = await upstreamError(chat(streamBody));
    expect(error).toMatchObject({ code: 'upstream_error', retryable: true, upstreamStatus: 529 });
    expect(error.message).toContain('Overloaded');
  });

  it('passes a 400 on without retry, in the OpenAI error shape', async () => {
    fake.reply(() => ({ kind: 'json', status: 400, body: anthropicFixture('error-invalid-request.json') }));
    const error = await upstreamError(chat(chatBody));
    expect(error).toMatchObject({
      code: 'upstream_error',
      retryable: false,
      upstreamStatus: 400,
      status: 400,
    });
    expect(error.upstreamBody).toEqual({
      error: {
        message: 'max_tokens: Field required',
        type: 'invalid_request_error',
        code: null,
        param: null,
      },
    });
  });

  it('throws on an error event mid-stream, retryable when Anthropic is overloaded', async () => {
    serveStream('stream-overloaded.sse', 9);
    const seen: ChatStreamEvent[] = [];
    const error = await upstreamError(
      (async () => {
        for await (const event of await stream(streamBody)) seen.push(event);
      })(),
    );
    expect(error).toMatchObject({
      code: 'upstream_error',
      phase: 'stream',
      retryable: true,
      upstreamStatus: 529,
    });
    expect(error.upstreamBody).toEqual({
      error: { message: 'Overloaded', type: 'overloaded_error', code: null, param: null },
    });
    expect(content(seen)).toBe('Once upon');
  });

  it('throws when the stream ends before message_stop', async () => {
    const transcript = anthropicFixture('stream-text.sse');
    fake.reply(() => ({
      kind: 'sse',
      pieces: [transcript.slice(0, transcript.indexOf('event: message_delta'))],
    }));
    const error = await upstreamError(collect(await stream(streamBody)));
    expect(error).toMatchObject({ code: 'upstream_error', phase: 'stream', retryable: true });
  });

  it('fires the idle timeout when the stream stalls after message_start, and closes the upstream request', async () => {
    const transcript = anthropicFixture('stream-text.sse');
    fake.reply(() => ({
      kind: 'sse',
      pieces: [transcript.slice(0, transcript.indexOf('event: content_block_start'))],
      stallAtEnd: true,
    }));
    const seen: ChatStreamEvent[] = [];
    const error = await upstreamError(
      (async () => {
        for await (const event of await stream(streamBody, { ...timeouts, idleMs: 100 })) seen.push(event);
      })(),
    );
    expect(error).toMatchObject({ code: 'upstream_timeout', phase: 'idle', retryable: true });
    expect(seen).toHaveLength(1);
    await expect.poll(() => fake.requests[0]?.aborted).toBe(true);
  });

  it('closes the upstream request when the consumer stops reading early', async () => {
    const pieces = splitEvery(anthropicFixture('stream-tool-use.sse'), 40);
    fake.reply(() => ({ kind: 'sse', pieces, pieceDelayMs: 20, stallAtEnd: true }));
    for await (const _event of await stream(streamBody)) break;
    await expect.poll(() => fake.requests[0]?.aborted).toBe(true);
  });

  it('refuses n > 1 without calling Anthropic', async () => {
    const error = await upstreamError(chat({ ...chatBody, n: 2 }));
    expect(error).toMatchObject({ retryable: false, upstreamStatus: 400 });
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses embeddings, which Anthropic does not offer, without retry', async () => {
    const error = await upstreamError(
      model().doEmbed({
        body: { model: 'alias', input: 'hi' },
        signal: new AbortController().signal,
        timeouts,
      }),
    );
    expect(error).toMatchObject({ code: 'upstream_error', retryable: false, upstreamStatus: 400 });
    expect(error.message).toMatch(/no embeddings API/);
    expect(fake.requests).toHaveLength(0);
  });
});
