import { type OpenAIErrorBody, UpstreamError } from '@flywheel/spec';
import { upstreamHttpError } from '../openai/upstream-http-error.js';
import type { AnthropicErrorObject } from './anthropic-messages-types.js';

/** The provider name in error messages. */
const provider = 'anthropic';

/**
 * The error for a non-2xx answer of the Messages API. Anthropic's body
 * (`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`) already has the
 * `error.type`/`error.message` pair the shared mapping reads, so 429 becomes
 * `upstream_rate_limited` with its `retry-after`, 5xx and 529 (overloaded) are retryable, and
 * other 4xx go back unchanged in OpenAI's error shape.
 */
export function anthropicHttpError(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bytes: Uint8Array,
): UpstreamError {
  return upstreamHttpError(status, headers, bytes, provider);
}

/**
 * The HTTP status Anthropic uses for each error type, so an error that arrives inside a stream
 * (where the status line said 200) is judged like the same error outside one.
 */
const statusOfErrorType: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** The error for an `event: error` inside a stream, e.g. `overloaded_error` under high load. */
export function anthropicStreamError(error: AnthropicErrorObject | undefined): UpstreamError {
  const type = typeof error?.type === 'string' ? error.type : 'api_error';
  const message = typeof error?.message === 'string' ? error.message : `Anthropic stream error (${type}).`;
  // Unknown types are the server's problem until proven otherwise, hence 500 and retryable.
  const status = statusOfErrorType[type] ?? 500;
  const upstreamBody: OpenAIErrorBody = { error: { message, type, code: null, param: null } };
  const common = { upstreamStatus: status, upstreamBody, phase: 'stream' as const };
  const text = `${provider} sent an error inside the stream: ${message}`;
  if (status === 429) return new UpstreamError('upstream_rate_limited', text, { ...common, retryable: true });
  return new UpstreamError('upstream_error', text, { ...common, retryable: status >= 500 });
}

/**
 * A request this adapter cannot express in the Messages API, refused before anything is sent,
 * answered as Anthropic would answer it: a 400 in OpenAI's error shape, never retried.
 */
export function anthropicUnsupportedError(message: string, param: string | null = null): UpstreamError {
  return new UpstreamError('upstream_error', `${provider}: ${message}`, {
    upstreamStatus: 400,
    upstreamBody: { error: { message, type: 'invalid_request_error', code: 'unsupported_parameter', param } },
    retryable: false,
    phase: 'response',
  });
}
