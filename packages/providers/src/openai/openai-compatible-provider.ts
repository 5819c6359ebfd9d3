import {
  type CallSignal,
  type ChatCompletion,
  type EmbeddingResponse,
  type LanguageModel,
  type PhaseTimeouts,
  UpstreamError,
} from '@flywheel/spec';
import { startCallDeadline } from '../transport/call-deadline.js';
import type { HttpTransport, TransportResponse } from '../transport/http-transport.js';
import { readOpenAIChatStream } from './openai-chat-stream.js';
import { upstreamHttpError } from './upstream-http-error.js';

/** Settings of an OpenAI or OpenAI-compatible provider. */
export interface OpenAICompatibleSettings {
  /** `openai` for api.openai.com, `openai-compatible` for Ollama, vLLM, llama.cpp, DeepSeek, Qwen, … */
  provider?: 'openai' | 'openai-compatible';
  /** Base URL including the version path, e.g. `https://api.openai.com/v1`, `http://127.0.0.1:11434/v1`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when set. */
  apiKey?: string;
  /** Extra headers for every request (e.g. `OpenAI-Organization`). */
  headers?: Record<string, string>;
  /** How requests travel (an undici pool in production). */
  transport: HttpTransport;
}

/** A provider: a factory of models sharing its settings and connection pool. */
export interface OpenAICompatibleProvider {
  languageModel(modelId: string): LanguageModel;
}

/**
 * OpenAI and every OpenAI-compatible server. Requests go out as the client sent them (unknown
 * fields included) with only `model` rewritten; answers come back byte for byte.
 *
 * @example
 * const ollama = createOpenAICompatible({ provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:11434/v1', transport });
 * const model = ollama.languageModel('qwen2.5:7b');
 */
export function createOpenAICompatible(settings: OpenAICompatibleSettings): OpenAICompatibleProvider {
  const provider = settings.provider ?? 'openai-compatible';
  const base = settings.baseUrl.replace(/\/+$/, '');
  const chatUrl = new URL(`${base}/chat/completions`);
  const embeddingsUrl = new URL(`${base}/embeddings`);
  const headersFor = (stream: boolean): Record<string, string> => ({
    'content-type': 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
    ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}),
    ...settings.headers,
  });
  // Built once: the transport only reads them.
  const streamHeaders = headersFor(true);
  const jsonHeaders = headersFor(false);
  const headers = (stream: boolean) => (stream ? streamHeaders : jsonHeaders);

  async function post(
    url: URL,
    body: string,
    stream: boolean,
    signal: CallSignal,
  ): Promise<TransportResponse> {
    const response = await settings.transport.request({
      url,
      method: 'POST',
      headers: headers(stream),
      body,
      signal,
    });
    if (response.status < 200 || response.status >= 300) {
      throw upstreamHttpError(response.status, response.headers, await response.bytes(), provider);
    }
    return response;
  }

  async function readJson<T>(response: TransportResponse): Promise<{ raw: Uint8Array; body: T }> {
    const raw = await response.bytes();
    try {
      return {
        raw,
        body: JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')) as T,
      };
    } catch (error) {
      throw new UpstreamError('upstream_error', `${provider} answered with a body that is not JSON.`, {
        retryable: true,
        phase: 'response',
        cause: error,
      });
    }
  }

  return {
    languageModel(modelId) {
      return {
        specificationVersion: 'v1',
        provider,
        modelId,
        async doChat(call) {
          const stream = call.body.stream === true;
          const deadline = startCallDeadline(call.signal, call.timeouts);
          if (stream) deadline.arm('first_token', call.timeouts.firstTokenMs);
          try {
            const response = await post(
              chatUrl,
              JSON.stringify(withModel(call.body, modelId)),
              stream,
              deadline.signal,
            );
            if (!stream) {
              const { raw, body } = await readJson<ChatCompletion>(response);
              deadline.dispose();
              return { stream: false, body, raw };
            }
            const contentType = String(response.headers['content-type'] ?? '');
            if (!contentType.includes('text/event-stream')) {
              await response.discard();
              throw new UpstreamError(
                'upstream_error',
                `${provider} answered a streaming request with '${contentType}'.`,
                {
                  retryable: false,
                  phase: 'response',
                },
              );
            }
            return {
              stream: true,
              batches: readOpenAIChatStream(response, deadline, call.timeouts, provider),
            };
          } catch (error) {
            deadline.dispose();
            throw deadline.signal.aborted ? deadline.reason() : error;
          }
        },
        async doEmbed(call) {
          const deadline = startCallDeadline(call.signal, call.timeouts as PhaseTimeouts);
          try {
            const response = await post(
              embeddingsUrl,
              JSON.stringify(withModel(call.body, modelId)),
              false,
              deadline.signal,
            );
            return await readJson<EmbeddingResponse>(response);
          } catch (error) {
            throw deadline.signal.aborted ? deadline.reason() : error;
          } finally {
            deadline.dispose();
          }
        },
      };
    },
  };
}

/** The body with `model` set to the provider's model id; as it is when the engine set it already. */
function withModel<T extends { model?: string }>(body: T, modelId: string): T {
  return body.model === modelId ? body : { ...body, model: modelId };
}
