import type { FlywheelTracer, SpanHandle, TokenUsage } from './flywheel-tracer.js';

/** The parts of an `openai` (v4–v6) client that are traced; typed structurally, so the SDK does not depend on it. */
interface OpenAILike {
  chat: { completions: { create(body: Record<string, unknown>, options?: unknown): PromiseLike<unknown> } };
  embeddings?: { create(body: Record<string, unknown>, options?: unknown): PromiseLike<unknown> };
}

interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

interface ChunkLike {
  model?: string;
  choices?: Array<{
    delta?: {
      role?: string;
      content?: string | null;
      tool_calls?: Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }>;
    };
    finish_reason?: string | null;
  }>;
  usage?: OpenAIUsage | null;
}

/**
 * Records `client.chat.completions.create` and `client.embeddings.create` of an official
 * `openai` client as generation spans: model, input messages, output (tool calls included),
 * usage and, for streams, time to first token. Calls nest under the current span or trace, or
 * start their own trace. The call returns what it would have returned (the same APIPromise, so
 * `.withResponse()` keeps working). For `stream: true` without `stream_options`, the wrapper asks
 * for `include_usage` and hides the extra usage chunk, so the caller sees the stream it asked for.
 *
 * @example
 * const openai = wrapOpenAI(new OpenAI(), tracer);
 * const answer = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
 */
export function wrapOpenAI<T extends object>(client: T, tracer: FlywheelTracer): T {
  const openai = client as unknown as OpenAILike;
  const completions = openai.chat.completions;
  const chatCreate = completions.create.bind(completions);
  const wrappedCompletions = new Proxy(completions, {
    get(target, property, receiver) {
      if (property !== 'create') return Reflect.get(target, property, receiver);
      return (body: Record<string, unknown>, requestOptions?: unknown) =>
        traceChat(tracer, chatCreate, body, requestOptions);
    },
  });
  const wrappedChat = new Proxy(openai.chat, {
    get(target, property, receiver) {
      return property === 'completions' ? wrappedCompletions : Reflect.get(target, property, receiver);
    },
  });
  const embeddings = openai.embeddings;
  const embedCreate = embeddings?.create.bind(embeddings);
  const wrappedEmbeddings =
    embeddings &&
    new Proxy(embeddings, {
      get(target, property, receiver) {
        if (property !== 'create' || !embedCreate) return Reflect.get(target, property, receiver);
        return (body: Record<string, unknown>, requestOptions?: unknown) =>
          traceEmbeddings(tracer, embedCreate, body, requestOptions);
      },
    });
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'chat') return wrappedChat;
      if (property === 'embeddings' && wrappedEmbeddings) return wrappedEmbeddings;
      return Reflect.get(target, property, receiver);
    },
  });
}

function traceChat(
  tracer: FlywheelTracer,
  create: (body: Record<string, unknown>, options?: unknown) => PromiseLike<unknown>,
  body: Record<string, unknown>,
  requestOptions: unknown,
): PromiseLike<unknown> {
  const { messages, model, ...parameters } = body;
  const span = tracer.span({
    name: `chat ${String(model)}`,
    kind: 'generation',
    model: String(model),
    provider: 'openai',
    input: messages,
    attributes: { parameters: withoutStreamFields(parameters) },
  });
  const started = Date.now();
  const askedForUsage = body.stream === true && body.stream_options === undefined;
  const sent = askedForUsage ? { ...body, stream_options: { include_usage: true } } : body;
  const result = create(sent, requestOptions);
  // Observe the promise without replacing it: the caller keeps the client's own object.
  result.then(
    (value) => {
      if (body.stream === true && isAsyncIterable(value)) traceStream(span, value, started, askedForUsage);
      else endWithCompletion(span, value as Record<string, unknown>);
    },
    (error: unknown) =>
      span.end({ status: 'error', statusMessage: error instanceof Error ? error.message : String(error) }),
  );
  return result;
}

function endWithCompletion(span: SpanHandle, completion: Record<string, unknown>) {
  const choices = completion.choices as Array<{ message?: unknown }> | undefined;
  span.end({
    output: choices?.[0]?.message ?? null,
    ...(typeof completion.model === 'string' ? { model: completion.model } : {}),
    ...usageOf(completion.usage as OpenAIUsage | undefined),
    status: 'ok',
  });
}

/** Wraps the stream's iterator in place, so the object (and its other methods) stays the client's own. */
function traceStream(
  span: SpanHandle,
  stream: AsyncIterable<ChunkLike>,
  started: number,
  hideUsageChunk: boolean,
) {
  const original = stream[Symbol.asyncIterator].bind(stream);
  let content = '';
  let role = 'assistant';
  let model: string | undefined;
  let usage: OpenAIUsage | undefined;
  let firstTokenMs: number | undefined;
  const toolCalls = new Map<number, { id?: string; name: string; arguments: string }>();
  const finish = (fields: { status: 'ok' | 'error'; statusMessage?: string }) => {
    const tools = [...toolCalls.values()].map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.arguments },
    }));
    span.end({
      output: { role, content: content || null, ...(tools.length > 0 ? { tool_calls: tools } : {}) },
      ...(model ? { model } : {}),
      ...usageOf(usage),
      ...(firstTokenMs !== undefined ? { timeToFirstTokenMs: firstTokenMs } : {}),
      ...fields,
    });
  };
  (stream as { [Symbol.asyncIterator]: () => AsyncIterator<ChunkLike> })[Symbol.asyncIterator] = () => {
    const iterator = original();
    return {
      async next() {
        for (;;) {
          let step: IteratorResult<ChunkLike>;
          try {
            step = await iterator.next();
          } catch (error) {
            finish({
              status: 'error',
              statusMessage: error instanceof Error ? error.message : String(error),
            });
            throw error;
          }
          if (step.done) {
            finish({ status: 'ok' });
            return step;
          }
          const chunk = step.value;
          if (typeof chunk.model === 'string') model = chunk.model;
          if (chunk.usage) usage = chunk.usage;
          for (const choice of chunk.choices ?? []) {
            const delta = choice.delta;
            if (!delta) continue;
            if (delta.role) role = delta.role;
            if (delta.content) {
              firstTokenMs ??= Date.now() - started;
              content += delta.content;
            }
            for (const call of delta.tool_calls ?? []) {
              firstTokenMs ??= Date.now() - started;
              const known = toolCalls.get(call.index) ?? { name: '', arguments: '' };
              if (call.id) known.id = call.id;
              known.name += call.function?.name ?? '';
              known.arguments += call.function?.arguments ?? '';
              toolCalls.set(call.index, known);
            }
          }
          if (hideUsageChunk) {
            // The usage-only chunk exists because the wrapper asked for it: the caller never sees it.
            if ((chunk.choices?.length ?? 0) === 0 && chunk.usage) continue;
            if (chunk.usage === null) delete chunk.usage;
          }
          return step;
        }
      },
      async return(value?: unknown) {
        finish({ status: 'ok' });
        return iterator.return ? iterator.return(value) : { done: true, value: undefined };
      },
    } as AsyncIterator<ChunkLike>;
  };
}

function traceEmbeddings(
  tracer: FlywheelTracer,
  create: (body: Record<string, unknown>, options?: unknown) => PromiseLike<unknown>,
  body: Record<string, unknown>,
  requestOptions: unknown,
): PromiseLike<unknown> {
  const span = tracer.span({
    name: `embeddings ${String(body.model)}`,
    kind: 'generation',
    model: String(body.model),
    provider: 'openai',
    input: body.input,
  });
  const result = create(body, requestOptions);
  result.then(
    (value) => {
      const response = value as { data?: unknown[]; model?: string; usage?: { prompt_tokens?: number } };
      span.end({
        output: { embeddings: response.data?.length ?? 0 },
        ...(response.model ? { model: response.model } : {}),
        ...(response.usage?.prompt_tokens !== undefined
          ? { usage: { inputTokens: response.usage.prompt_tokens, outputTokens: 0 } }
          : {}),
        status: 'ok',
      });
    },
    (error: unknown) =>
      span.end({ status: 'error', statusMessage: error instanceof Error ? error.message : String(error) }),
  );
  return result;
}

function usageOf(usage: OpenAIUsage | null | undefined): { usage?: TokenUsage } {
  if (!usage || usage.prompt_tokens === undefined) return {};
  return {
    usage: {
      inputTokens: usage.prompt_tokens,
      outputTokens: usage.completion_tokens ?? 0,
      ...(usage.prompt_tokens_details?.cached_tokens !== undefined
        ? { cachedInputTokens: usage.prompt_tokens_details.cached_tokens }
        : {}),
      ...(usage.completion_tokens_details?.reasoning_tokens !== undefined
        ? { reasoningTokens: usage.completion_tokens_details.reasoning_tokens }
        : {}),
    },
  };
}

function withoutStreamFields(parameters: Record<string, unknown>): Record<string, unknown> {
  const { stream_options: _options, ...rest } = parameters;
  return rest;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<ChunkLike> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';
}
