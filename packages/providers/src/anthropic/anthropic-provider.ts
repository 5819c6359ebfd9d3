import { type CallSignal, type LanguageModel, UpstreamError } from '@flywheel/spec';
import { startCallDeadline } from '../transport/call-deadline.js';
import type { HttpTransport, TransportResponse } from '../transport/http-transport.js';
import { anthropicHttpError, anthropicUnsupportedError } from './anthropic-errors.js';
import type { AnthropicMessage } from './anthropic-messages-types.js';
import { toAnthropicRequest } from './anthropic-request.js';
import { toChatCompletion } from './anthropic-response.js';
import { readAnthropicChatStream } from './anthropic-stream.js';

/** Settings of the Anthropic provider. */
export interface AnthropicSettings {
  /** Base URL including the version path (default `https://api.anthropic.com/v1`). */
  baseUrl?: string;
  /** Sent as `x-api-key`. */
  apiKey: string;
  /** Extra headers for every request, e.g. `anthropic-beta`. */
  headers?: Record<string, string>;
  /** Sent as `anthropic-version` (default `2023-06-01`). */
  anthropicVersion?: string;
  /** `max_tokens` when the client sets none; Anthropic requires one (default 4096). */
  defaultMaxTokens?: number;
  /** How requests travel (an undici pool in production). */
  transport: HttpTransport;
}

/** A provider: a factory of models sharing its settings and connection pool. */
export interface AnthropicProvider {
  languageModel(modelId: string): LanguageModel;
}

/**
 * Anthropic's Messages API behind OpenAI's chat.completions format: requests are translated
 * into Messages requests and answers, streamed or not, back into OpenAI completions and chunks.
 * Anthropic has no embeddings API, so `doEmbed` always refuses.
 *
 * @example
 * const anthropic = createAnthropic({ apiKey: secret, transport });
 * const model = anthropic.languageModel('claude-sonnet-4-5');
 */
export function createAnthropic(settings: AnthropicSettings): AnthropicProvider {
  const base = (settings.baseUrl ?? 'https://api.anthropic.com/v1').replace(/\/+$/, '');
  const messagesUrl = new URL(`${base}/messages`);
  const defaultMaxTokens = settings.defaultMaxTokens ?? 4096;
  const headers = (stream: boolean): Record<string, string> => ({
    'content-type': 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
    'x-api-key': settings.apiKey,
    'anthropic-version': settings.anthropicVersion ?? '2023-06-01',
    ...settings.headers,
  });

  async function post(body: string, stream: boolean, signal: CallSignal): Promise<TransportResponse> {
    const response = await settings.transport.request({
      url: messagesUrl,
      method: 'POST',
      headers: headers(stream),
      body,
      signal,
    });
    if (response.status < 200 || response.status >= 300) {
      throw anthropicHttpError(response.status, response.headers, await response.bytes());
    }
    return response;
  }

  async function readMessage(response: TransportResponse): Promise<AnthropicMessage> {
    const raw = await response.bytes();
    try {
      const parsed = JSON.parse(
        Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'),
      ) as unknown;
      if (parsed !== null && typeof parsed === 'object') return parsed as AnthropicMessage;
    } catch (error) {
      throw new UpstreamError('upstream_error', 'anthropic answered with a body that is not JSON.', {
        retryable: true,
        phase: 'response',
        cause: error,
      });
    }
    throw new UpstreamError('upstream_error', 'anthropic answered with a JSON body that is not a message.', {
      retryable: true,
      phase: 'response',
    });
  }

  return {
    languageModel(modelId) {
      return {
        specificationVersion: 'v1',
        provider: 'anthropic',
        modelId,
        async doChat(call) {
          // Translated first: a request Anthropic cannot express is refused before any timer starts.
          const { request, jsonMode } = toAnthropicRequest(call.body, { modelId, defaultMaxTokens });
          const stream = request.stream === true;
          const deadline = startCallDeadline(call.signal, call.timeouts);
          if (stream) deadline.arm('first_token', call.timeouts.firstTokenMs);
          try {
            const response = await post(JSON.stringify(request), stream, deadline.signal);
            if (!stream) {
              const message = await readMessage(response);
              deadline.dispose();
              return { stream: false, body: toChatCompletion(message, { modelId, jsonMode }) };
            }
            const contentType = String(response.headers['content-type'] ?? '');
            if (!contentType.includes('text/event-stream')) {
              await response.discard();
              throw new UpstreamError(
                'upstream_error',
                `anthropic answered a streaming request with '${contentType}'.`,
                {
                  retryable: false,
                  phase: 'response',
                },
              );
            }
            const includeUsage = call.body.stream_options?.include_usage === true;
            return {
              stream: true,
              batches: readAnthropicChatStream(response, deadline, call.timeouts, {
                modelId,
                jsonMode,
                includeUsage,
              }),
            };
          } catch (error) {
            deadline.dispose();
            throw deadline.signal.aborted ? deadline.reason() : error;
          }
        },
        async doEmbed() {
          throw anthropicUnsupportedError(
            'Anthropic has no embeddings API; route embeddings to another provider (e.g. OpenAI, or Voyage AI through an OpenAI-compatible endpoint).',
            'model',
          );
        },
      };
    },
  };
}
