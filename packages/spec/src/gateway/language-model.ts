import type { CallSignal } from './call-signal.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  EmbeddingRequest,
  EmbeddingResponse,
} from './openai-types.js';

/** Limits of each phase of one upstream call, in milliseconds. */
export interface PhaseTimeouts {
  /** To establish the TCP/TLS connection. */
  connectMs: number;
  /** From sending the request to the response headers and, when streaming, the first event. */
  firstTokenMs: number;
  /** Between two streamed events. */
  idleMs: number;
  /** For the whole call, body included. */
  totalMs: number;
}

/** One event of a streamed chat completion, in OpenAI's server-sent-event format. */
export interface ChatStreamEvent {
  /** The bytes of the whole event (`data: …\n\n`), forwarded to the client unchanged. */
  raw: Uint8Array;
  /**
   * The parsed chunk, when the adapter parsed it (translated streams). OpenAI-format streams are
   * forwarded without parsing each event (it was the gateway's largest per-stream cost), so
   * theirs is undefined: read `raw`.
   */
  chunk?: ChatCompletionChunk;
  /** True for the final `data: [DONE]` event. */
  done?: boolean;
  /** True for the usage-only chunk (`choices: []`) that `stream_options.include_usage` adds at the end. */
  usageOnly?: boolean;
}

/** What a model adapter is asked to do. */
export interface ChatCall {
  /** The OpenAI-format body; `model` is already the upstream's model id. Unknown fields pass through. */
  body: ChatCompletionRequest;
  /** Aborted when the client disconnects or a timeout fires; the adapter must stop the upstream call. */
  signal: CallSignal;
  timeouts: PhaseTimeouts;
}

/** A chat answer: a JSON completion, or a stream of events. */
export type ChatResult =
  | {
      stream: false;
      /** The completion, in OpenAI format (translated for non-OpenAI upstreams). */
      body: ChatCompletion;
      /** The upstream's bytes when they are already OpenAI format, to forward unchanged. */
      raw?: Uint8Array;
    }
  | {
      stream: true;
      /**
       * The events, in the groups the provider's bytes delivered them (one network read each;
       * never an empty group). Iteration throws an `UpstreamError` on a stall (idle timeout), a
       * reset or a provider error event, after yielding the events that came before it in the
       * same read; breaking out of the loop aborts the upstream call. Groups, not single events:
       * one asynchronous step per event, through the adapter, the engine and the stream writer,
       * cost the request thread more than the rest of the stream's handling (decision 0014).
       * {@link eachStreamEvent} iterates them one by one where that cost does not matter.
       */
      batches: AsyncIterable<ChatStreamEvent[]>;
    };

/** An embeddings call. */
export interface EmbedCall {
  body: EmbeddingRequest;
  signal: CallSignal;
  timeouts: PhaseTimeouts;
}

/** An embeddings answer. */
export interface EmbedResult {
  body: EmbeddingResponse;
  raw?: Uint8Array;
}

/**
 * A model adapter: one small, versioned interface behind which every provider sits.
 * Failures are thrown as `UpstreamError`s so the gateway can decide on retries and fallbacks.
 */
export interface LanguageModel {
  readonly specificationVersion: 'v1';
  /** Provider kind, e.g. `openai`, `openai-compatible`, `anthropic`. */
  readonly provider: string;
  /** The upstream's model id. */
  readonly modelId: string;
  doChat(call: ChatCall): Promise<ChatResult>;
  doEmbed(call: EmbedCall): Promise<EmbedResult>;
}

/** The events of a stream's {@link ChatResult} groups, one at a time (tests, tools: not the request path). */
export async function* eachStreamEvent(
  batches: AsyncIterable<ChatStreamEvent[]>,
): AsyncIterable<ChatStreamEvent> {
  for await (const batch of batches) yield* batch;
}
