import { type ChildProcess, spawn } from 'node:child_process';
import { type ChatStreamEvent, eachStreamEvent, type PhaseTimeouts, UpstreamError } from '@flywheel/spec';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAIServer, startFakeOpenAI } from '../testing/fake-openai-server.js';
import { createUndiciTransport, type HttpTransport } from '../transport/http-transport.js';
import { parseChatEvent } from '../transport/server-sent-events.js';
import { createOpenAICompatible } from './openai-compatible-provider.js';

const timeouts: PhaseTimeouts = { connectMs: 1000, firstTokenMs: 2000, idleMs: 2000, totalMs: 10_000 };
const chatBody = { model: 'alias', messages: [{ role: 'user', content: 'hi' }] };

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

describe('openai-compatible provider', () => {
  let fake: FakeOpenAIServer;
  let transport: HttpTransport;
  const model = () =>
    createOpenAICompatible({
      baseUrl: fake.url,
      apiKey: 'sk-test',
      transport,
      headers: { 'x-extra': '1' },
    }).languageModel('upstream-model');

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    transport = createUndiciTransport({ connectTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await transport.close();
    await fake.close();
  });
  afterEach(() => {
    fake.requests.length = 0;
    fake.behave((request) => (request.body?.stream === true ? { kind: 'stream' } : { kind: 'json' }));
  });

  it('forwards the body with only the model rewritten, unknown fields included, and returns the bytes unchanged', async () => {
    const body = { ...chatBody, temperature: 0.2, vendor_extension: { keep: true } };
    const result = await model().doChat({ body, signal: new AbortController().signal, timeouts });
    expect(result.stream).toBe(false);
    if (result.stream) return;
    expect(result.body.choices[0]?.message.content).toBe('Hello from the fake model');
    expect(JSON.parse(Buffer.from(result.raw!).toString())).toEqual(result.body);
    const sent = fake.requests[0]!;
    expect(sent.url).toBe('/v1/chat/completions');
    expect(sent.body).toEqual({ ...body, model: 'upstream-model' });
    expect(sent.headers.authorization).toBe('Bearer sk-test');
    expect(sent.headers['x-extra']).toBe('1');
  });

  it('streams every event byte for byte and ends with [DONE]', async () => {
    const result = await model().doChat({
      body: { ...chatBody, stream: true },
      signal: new AbortController().signal,
      timeouts,
    });
    if (!result.stream) throw new Error('expected a stream');
    const events = await collect(eachStreamEvent(result.batches));
    // Forwarded unparsed: the chunks are in the bytes.
    expect(events.every((event) => event.chunk === undefined)).toBe(true);
    expect(
      events.map((event) => parseChatEvent(event.raw).chunk?.choices[0]?.delta.content ?? null).join(''),
    ).toBe('Hello from the fake model');
    expect(events.at(-1)?.done).toBe(true);
    expect(Buffer.from(events[0]!.raw).toString()).toMatch(/^data: \{.*\}\n\n$/);
  });

  it('reports a 429 as rate limited with its Retry-After', async () => {
    fake.behave(() => ({ kind: 'json', status: 429, headers: { 'retry-after': '2' } }));
    const error = await upstreamError(
      model().doChat({ body: chatBody, signal: new AbortController().signal, timeouts }),
    );
    expect(error).toMatchObject({
      code: 'upstream_rate_limited',
      retryable: true,
      retryAfterMs: 2000,
      upstreamStatus: 429,
    });
  });

  it.each([500, 502, 503, 504, 529])('marks a %s as retryable', async (status) => {
    fake.behave(() => ({ kind: 'json', status }));
    const error = await upstreamError(
      model().doChat({ body: chatBody, signal: new AbortController().signal, timeouts }),
    );
    expect(error).toMatchObject({ code: 'upstream_error', retryable: true, upstreamStatus: status });
  });

  it.each([400, 401, 403, 404, 422])(
    'passes a %s on without retry, in the OpenAI error shape',
    async (status) => {
      fake.behave(() => ({ kind: 'json', status }));
      const error = await upstreamError(
        model().doChat({ body: chatBody, signal: new AbortController().signal, timeouts }),
      );
      expect(error).toMatchObject({
        code: 'upstream_error',
        retryable: false,
        upstreamStatus: status,
        status,
      });
      expect(error.upstreamBody).toEqual({
        error: { message: `fake error ${status}`, type: 'invalid_request_error', code: null, param: null },
      });
    },
  );

  it('fires the first-token timeout when the stream sends headers and then nothing', async () => {
    fake.behave(() => ({ kind: 'stream', silent: true }));
    const result = await model().doChat({
      body: { ...chatBody, stream: true },
      signal: new AbortController().signal,
      timeouts: { ...timeouts, firstTokenMs: 100 },
    });
    if (!result.stream) throw new Error('expected a stream');
    const error = await upstreamError(collect(eachStreamEvent(result.batches)));
    expect(error).toMatchObject({ code: 'upstream_timeout', phase: 'first_token', retryable: true });
  });

  it('fires the first-token timeout when no headers come at all', async () => {
    fake.behave(() => ({ kind: 'hang' }));
    const call = model().doChat({
      body: { ...chatBody, stream: true },
      signal: new AbortController().signal,
      timeouts: { ...timeouts, firstTokenMs: 100 },
    });
    expect(await upstreamError(call)).toMatchObject({ code: 'upstream_timeout', phase: 'first_token' });
  });

  it('fires the idle timeout when a stream stalls, and frees the upstream connection', async () => {
    fake.behave(() => ({ kind: 'stream', stallAfter: 2 }));
    const result = await model().doChat({
      body: { ...chatBody, stream: true },
      signal: new AbortController().signal,
      timeouts: { ...timeouts, idleMs: 100 },
    });
    if (!result.stream) throw new Error('expected a stream');
    const seen: ChatStreamEvent[] = [];
    const error = await upstreamError(
      (async () => {
        for await (const event of eachStreamEvent(result.batches)) seen.push(event);
      })(),
    );
    expect(error).toMatchObject({ code: 'upstream_timeout', phase: 'idle' });
    expect(seen).toHaveLength(2);
    await expect.poll(() => fake.openRequests()).toBe(0);
  });

  it('fires the total timeout on a slow non-streaming answer', async () => {
    fake.behave(() => ({ kind: 'json', delayMs: 1000 }));
    const call = model().doChat({
      body: chatBody,
      signal: new AbortController().signal,
      timeouts: { ...timeouts, totalMs: 100 },
    });
    expect(await upstreamError(call)).toMatchObject({ code: 'upstream_timeout', phase: 'total' });
  });

  it('reports a reset mid-stream as an error, never as a complete stream', async () => {
    fake.behave(() => ({ kind: 'stream', resetAfter: 2 }));
    const result = await model().doChat({
      body: { ...chatBody, stream: true },
      signal: new AbortController().signal,
      timeouts,
    });
    if (!result.stream) throw new Error('expected a stream');
    const error = await upstreamError(collect(eachStreamEvent(result.batches)));
    expect(error.retryable).toBe(true);
  });

  it('turns an error event inside the stream into an UpstreamError', async () => {
    fake.behave(() => ({ kind: 'stream', errorAfter: 1 }));
    const result = await model().doChat({
      body: { ...chatBody, stream: true },
      signal: new AbortController().signal,
      timeouts,
    });
    if (!result.stream) throw new Error('expected a stream');
    const error = await upstreamError(collect(eachStreamEvent(result.batches)));
    expect(error).toMatchObject({ code: 'upstream_error', phase: 'stream' });
    expect(error.message).toContain('fake stream failure');
  });

  it('yields the events before an error event, even when they came in the same read', async () => {
    // Written in one go: they usually reach the gateway in one read, as one group.
    fake.behave(() => ({ kind: 'stream', errorAfter: 3 }));
    const result = await model().doChat({
      body: { ...chatBody, stream: true },
      signal: new AbortController().signal,
      timeouts,
    });
    if (!result.stream) throw new Error('expected a stream');
    const seen: string[] = [];
    const error = await upstreamError(
      (async () => {
        for await (const batch of result.batches) {
          expect(batch.length).toBeGreaterThan(0);
          for (const event of batch)
            seen.push(parseChatEvent(event.raw).chunk?.choices[0]?.delta.content ?? '');
        }
      })(),
    );
    expect(error.message).toContain('fake stream failure');
    expect(seen).toEqual(['Hello', ' from', ' the']);
  });

  it('keeps the connection of a stream read to [DONE] for the next call', async () => {
    const own = await startFakeOpenAI();
    const ownTransport = createUndiciTransport({ connectTimeoutMs: 1000 });
    try {
      const streaming = createOpenAICompatible({ baseUrl: own.url, transport: ownTransport }).languageModel(
        'm',
      );
      for (let call = 0; call < 5; call++) {
        const result = await streaming.doChat({
          body: { ...chatBody, stream: true },
          signal: new AbortController().signal,
          timeouts,
        });
        if (!result.stream) throw new Error('expected a stream');
        expect((await collect(eachStreamEvent(result.batches))).at(-1)?.done).toBe(true);
        // undici frees a connection one turn of the event loop after its answer.
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(own.requests.every((request) => !request.aborted)).toBe(true);
      expect(own.connectionsOpened()).toBe(1);
    } finally {
      await ownTransport.close();
      await own.close();
    }
  });

  it('aborts the upstream request when the consumer stops reading', async () => {
    fake.behave(() => ({ kind: 'stream', chunks: Array.from({ length: 50 }, () => 'x'), chunkDelayMs: 20 }));
    const result = await model().doChat({
      body: { ...chatBody, stream: true },
      signal: new AbortController().signal,
      timeouts,
    });
    if (!result.stream) throw new Error('expected a stream');
    for await (const _batch of result.batches) break;
    await expect.poll(() => fake.requests[0]?.aborted).toBe(true);
  });

  it('aborts the upstream request when the caller aborts', async () => {
    fake.behave(() => ({ kind: 'json', delayMs: 5000 }));
    const controller = new AbortController();
    const call = model().doChat({ body: chatBody, signal: controller.signal, timeouts });
    await expect.poll(() => fake.requests.length).toBe(1);
    controller.abort(new Error('client went away'));
    await expect(call).rejects.toThrow('client went away');
    await expect.poll(() => fake.requests[0]?.aborted).toBe(true);
  });

  it('calls the embeddings endpoint', async () => {
    const result = await model().doEmbed({
      body: { model: 'alias', input: ['a', 'b'] },
      signal: new AbortController().signal,
      timeouts,
    });
    expect(result.body.data).toHaveLength(2);
    expect(fake.requests[0]?.url).toBe('/v1/embeddings');
  });
});

describe('connect timeout', () => {
  let blackhole: ChildProcess;
  let port: number;

  // A listening socket with a zero backlog that never accepts: once its queue holds one
  // connection, the kernel drops further SYNs, so connecting hangs like a black-holed host.
  beforeAll(async () => {
    blackhole = spawn('python3', [
      '-c',
      'import socket,sys,time\ns=socket.socket();s.bind(("127.0.0.1",0));s.listen(0)\nc=socket.create_connection(("127.0.0.1",s.getsockname()[1]))\nprint(s.getsockname()[1]);sys.stdout.flush();time.sleep(60)',
    ]);
    port = await new Promise<number>((resolve) =>
      blackhole.stdout!.once('data', (data: Buffer) => resolve(Number(data.toString().trim()))),
    );
  });
  afterAll(() => {
    blackhole.kill();
  });

  it('fires separately from the total timeout when the host accepts no connection', async () => {
    const transport = createUndiciTransport({ connectTimeoutMs: 200 });
    const model = createOpenAICompatible({ baseUrl: `http://127.0.0.1:${port}/v1`, transport }).languageModel(
      'm',
    );
    const started = Date.now();
    const error = await upstreamError(
      model.doChat({
        body: chatBody,
        signal: new AbortController().signal,
        timeouts: { ...timeouts, totalMs: 30_000 },
      }),
    );
    expect(error).toMatchObject({ code: 'upstream_unreachable', phase: 'connect', retryable: true });
    // Not a timing assertion on speed: only that the total timeout (30 s) was not what fired.
    expect(Date.now() - started).toBeLessThan(30_000);
    await transport.close();
  });
});
