import { createChatStreamAccumulator } from './chat-stream-accumulator.js';
import type { ChatChunk } from './openai-shapes.js';
import { tokenUsage } from './openai-shapes.js';
import type { SpanHandle } from './tracer-types.js';

/** How {@link traceChatStream} records a stream. */
export interface ChatStreamTracing {
  span: SpanHandle;
  /** `performance.now()` when the request was made: time to first token counts from it. */
  startedAt: number;
  /**
   * The wrapper added `stream_options.include_usage`: drop the usage-only chunk and the
   * `usage: null` it adds to every other chunk, so the caller sees the stream it asked for.
   */
  hideUsage: boolean;
}

type IteratorFactory = () => AsyncIterator<ChatChunk>;

/**
 * Records a chat completion stream on `span` as it is consumed, in place: the caller keeps the
 * client's own `Stream` object, with `controller`, `tee()` and `toReadableStream()`. The openai
 * `Stream` keeps its source in an own `iterator` function that `[Symbol.asyncIterator]`, `tee()`
 * and `toReadableStream()` all go through, so that is what is wrapped; any other async iterable
 * gets its `[Symbol.asyncIterator]` wrapped. The span ends when the stream ends, fails, or the
 * consumer stops early (`break`: status ok, attribute `stream.cancelled`).
 */
export function traceChatStream(stream: AsyncIterable<ChatChunk>, tracing: ChatStreamTracing): void {
  const holder = stream as unknown as { iterator?: unknown };
  if (Object.hasOwn(stream, 'iterator') && typeof holder.iterator === 'function') {
    const original = holder.iterator as IteratorFactory;
    holder.iterator = () => traceIterator(original.call(stream), tracing);
    return;
  }
  const original = stream[Symbol.asyncIterator] as IteratorFactory;
  Object.defineProperty(stream, Symbol.asyncIterator, {
    value: () => traceIterator(original.call(stream), tracing),
    configurable: true,
    writable: true,
  });
}

function traceIterator(
  inner: AsyncIterator<ChatChunk>,
  tracing: ChatStreamTracing,
): AsyncIterator<ChatChunk> {
  const { span, startedAt, hideUsage } = tracing;
  const chat = createChatStreamAccumulator();
  let firstTokenMs: number | undefined;
  let finished = false;

  const finish = (outcome: { error?: unknown; cancelled?: boolean }) => {
    if (finished) return;
    finished = true;
    const result = chat.result();
    const usage = tokenUsage(result.usage);
    span.end({
      output: result.output,
      ...(result.model !== undefined ? { model: result.model } : {}),
      ...(usage !== undefined ? { usage } : {}),
      ...(firstTokenMs !== undefined ? { timeToFirstTokenMs: firstTokenMs } : {}),
      attributes: {
        'response.finish_reasons': result.finishReasons,
        ...(result.responseId !== undefined ? { 'response.id': result.responseId } : {}),
        ...(outcome.cancelled ? { 'stream.cancelled': true } : {}),
      },
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    });
  };

  return {
    async next() {
      for (;;) {
        let step: IteratorResult<ChatChunk>;
        try {
          step = await inner.next();
        } catch (error) {
          finish({ error });
          throw error;
        }
        if (step.done) {
          finish({});
          return step;
        }
        const chunk = step.value;
        if (chat.add(chunk) && firstTokenMs === undefined)
          firstTokenMs = Math.round((performance.now() - startedAt) * 1000) / 1000;
        if (hideUsage) {
          // The usage-only chunk exists because the wrapper asked for it.
          if ((chunk.choices?.length ?? 0) === 0 && chunk.usage) continue;
          if (chunk.usage === null) delete chunk.usage;
        }
        return step;
      }
    },
    async return(value?: unknown) {
      finish({ cancelled: true });
      return inner.return ? inner.return(value) : { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      finish({ error });
      if (inner.throw) return inner.throw(error);
      throw error;
    },
  };
}
