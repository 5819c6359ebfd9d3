import { observeApiPromise } from './observed-api-promise.js';
import { type ChatChunk, type ChatCompletion, isRecord, tokenUsage } from './openai-shapes.js';
import { traceChatStream } from './traced-chat-stream.js';
import type { FlywheelTracer, SpanHandle } from './tracer-types.js';

/** Options of {@link wrapOpenAI}. */
export interface WrapOpenAIOptions {
  /** Recorded as the spans' provider (default `openai`; e.g. `azure`, `ollama` for compatible servers). */
  provider?: string;
  /**
   * For `stream: true` without `stream_options`, ask for `include_usage` so streamed calls have
   * token counts, and hide the extra chunk from the caller (default true). Turn it off for servers
   * that refuse `stream_options`.
   */
  streamUsage?: boolean;
  /** Added to every span's attributes. */
  attributes?: Record<string, unknown>;
}

type Create = (body: unknown, requestOptions?: unknown) => unknown;

/**
 * Records `chat.completions.create` and `embeddings.create` of an official `openai` client (v4 to
 * v6; typed structurally, the SDK does not depend on it) as `generation` spans: model, input
 * messages, output message (tool calls included), token usage (cached and reasoning tokens too)
 * and, for streams, time to first token; a failed call is status `error`. A call nests under the
 * current span or trace, else starts a trace of its own.
 *
 * The caller gets what the client returns: the same `APIPromise` (observed through a proxy, so
 * `.withResponse()` and `.asResponse()` work) and the same `Stream` object (its iterator is
 * wrapped in place, so `tee()`, `toReadableStream()` and `controller` work). The messages array
 * is copied when the call is made, so pushing to it afterwards does not change the record.
 *
 * Limits: other methods (`responses`, `chat.completions.parse()`/`stream()`, `withOptions()`'s
 * new client) are passed through untraced. After `.asResponse()` the span ends without output
 * (the body is the caller's); on a stream read that way, the usage chunk the wrapper asked for is
 * in the body (set `streamUsage: false` if that matters). A call never awaited or stream never
 * read leaves its span open.
 *
 * @example
 * import OpenAI from 'openai';
 * const openai = wrapOpenAI(new OpenAI(), tracer);
 * const answer = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
 */
export function wrapOpenAI<T extends object>(
  client: T,
  tracer: FlywheelTracer,
  options: WrapOpenAIOptions = {},
): T {
  const settings = {
    provider: options.provider ?? 'openai',
    streamUsage: options.streamUsage ?? true,
    attributes: options.attributes ?? {},
  };
  return proxyWith(client, {
    chat: (chat) =>
      proxyWith(chat, {
        completions: (completions) =>
          proxyWith(completions, {
            create: (create) =>
              tracedCreate(create, completions, (body) => traceChat(tracer, settings, body)),
          }),
      }),
    embeddings: (embeddings) =>
      proxyWith(embeddings, {
        create: (create) =>
          tracedCreate(create, embeddings, (body) => traceEmbeddings(tracer, settings, body)),
      }),
  });
}

/** How one call is recorded: what to send, and what to do with the outcome. */
interface CallTracing {
  span: SpanHandle;
  body: unknown;
  onValue(value: unknown): void;
}

function tracedCreate(
  original: unknown,
  owner: object,
  begin: (body: Record<string, unknown>) => CallTracing,
) {
  if (typeof original !== 'function') return original;
  const create = original as Create;
  return (body: unknown, requestOptions?: unknown) => {
    if (!isRecord(body)) return create.call(owner, body, requestOptions);
    const call = begin(body);
    let promise: unknown;
    try {
      promise = create.call(owner, call.body, requestOptions);
    } catch (error) {
      call.span.end({ error });
      throw error;
    }
    if (!isRecord(promise) || typeof promise.then !== 'function') {
      call.onValue(promise);
      return promise;
    }
    return observeApiPromise(promise as unknown as PromiseLike<unknown>, {
      onValue: call.onValue,
      onError: (error) => call.span.end({ error, attributes: errorAttributes(error) }),
      onRawResponse: (response) =>
        call.span.end({ attributes: { 'http.status': (response as { status?: unknown }).status ?? null } }),
    });
  };
}

function traceChat(
  tracer: FlywheelTracer,
  settings: Required<WrapOpenAIOptions>,
  body: Record<string, unknown>,
): CallTracing {
  const { messages, model, stream_options: _streamOptions, ...parameters } = body;
  const modelName = typeof model === 'string' ? model : undefined;
  const span = tracer.generation({
    name: `chat ${modelName ?? 'unknown'}`,
    ...(modelName !== undefined ? { model: modelName } : {}),
    provider: settings.provider,
    input: Array.isArray(messages) ? [...messages] : messages,
    attributes: { ...settings.attributes, parameters },
  });
  const streaming = body.stream === true;
  const hideUsage = streaming && settings.streamUsage && body.stream_options == null;
  const startedAt = performance.now();
  return {
    span,
    body: hideUsage ? { ...body, stream_options: { include_usage: true } } : body,
    onValue(value) {
      if (streaming && isAsyncIterable(value))
        traceChatStream(value as AsyncIterable<ChatChunk>, { span, startedAt, hideUsage });
      else endWithCompletion(span, value);
    },
  };
}

function endWithCompletion(span: SpanHandle, value: unknown) {
  if (!isRecord(value)) return span.end({ output: value });
  const completion = value as ChatCompletion;
  const choices = Array.isArray(completion.choices) ? completion.choices : [];
  const messages = choices.map((choice) => choice?.message ?? null);
  const usage = tokenUsage(completion.usage);
  span.end({
    output: messages.length === 1 ? messages[0] : messages.length === 0 ? null : messages,
    ...(typeof completion.model === 'string' ? { model: completion.model } : {}),
    ...(usage !== undefined ? { usage } : {}),
    attributes: {
      'response.finish_reasons': choices.map((choice) => choice?.finish_reason ?? null),
      ...(typeof completion.id === 'string' ? { 'response.id': completion.id } : {}),
    },
  });
}

function traceEmbeddings(
  tracer: FlywheelTracer,
  settings: Required<WrapOpenAIOptions>,
  body: Record<string, unknown>,
): CallTracing {
  const { input, model, ...parameters } = body;
  const modelName = typeof model === 'string' ? model : undefined;
  const span = tracer.generation({
    name: `embeddings ${modelName ?? 'unknown'}`,
    ...(modelName !== undefined ? { model: modelName } : {}),
    provider: settings.provider,
    input: Array.isArray(input) ? [...input] : input,
    attributes: { ...settings.attributes, parameters },
  });
  return {
    span,
    body,
    onValue(value) {
      const answer = (isRecord(value) ? value : {}) as {
        data?: Array<{ embedding?: unknown }>;
        model?: unknown;
        usage?: { prompt_tokens?: number };
      };
      const first = answer.data?.[0]?.embedding;
      // The vectors themselves are not worth storing: their count and size say what happened.
      span.end({
        output: {
          embeddings: answer.data?.length ?? 0,
          ...(Array.isArray(first) ? { dimensions: first.length } : {}),
        },
        ...(typeof answer.model === 'string' ? { model: answer.model } : {}),
        ...(typeof answer.usage?.prompt_tokens === 'number'
          ? { usage: { inputTokens: answer.usage.prompt_tokens, outputTokens: 0 } }
          : {}),
      });
    },
  };
}

function errorAttributes(error: unknown): Record<string, unknown> {
  if (!isRecord(error)) return {};
  const attributes: Record<string, unknown> = {};
  if (typeof error.status === 'number') attributes['http.status'] = error.status;
  if (typeof error.code === 'string') attributes['error.code'] = error.code;
  if (typeof error.type === 'string') attributes['error.type'] = error.type;
  return attributes;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';
}

/**
 * A proxy of `target` that replaces some members (built once, from the original member) and
 * passes the rest through, functions bound to `target`: the openai client's classes keep
 * `#private` fields, which a method called on a proxy cannot reach.
 */
function proxyWith<T extends object>(target: T, overrides: Record<string, (original: object) => unknown>): T {
  // Keyed by property, checked against the member it was built from: a reassigned member is rebuilt.
  const cache = new Map<PropertyKey, { member: unknown; result: unknown }>();
  return new Proxy(target, {
    get(object, property) {
      const member = Reflect.get(object, property, object) as unknown;
      const cached = cache.get(property);
      if (cached && cached.member === member) return cached.result;
      const override =
        typeof property === 'string' && Object.hasOwn(overrides, property) ? overrides[property] : undefined;
      let result: unknown;
      if (override && (isRecord(member) || typeof member === 'function')) result = override(member);
      else if (typeof member === 'function' && property !== 'constructor') result = member.bind(object);
      else return member;
      cache.set(property, { member, result });
      return result;
    },
  });
}
