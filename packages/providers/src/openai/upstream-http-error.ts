import { type OpenAIErrorBody, UpstreamError } from '@flywheel/spec';

/**
 * The error for a non-2xx provider answer: 429 and 5xx/529 may be retried or failed over;
 * other 4xx are the caller's fault and go back unchanged, never retried.
 */
export function upstreamHttpError(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bytes: Uint8Array,
  provider: string,
): UpstreamError {
  const upstreamBody = toOpenAIErrorBody(status, bytes);
  const retryAfterMs = parseRetryAfter(headers);
  const message = `${provider} answered ${status}: ${upstreamBody.error.message}`;
  const common = {
    upstreamStatus: status,
    upstreamBody,
    phase: 'response' as const,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
  if (status === 429)
    return new UpstreamError('upstream_rate_limited', message, { ...common, retryable: true });
  return new UpstreamError('upstream_error', message, { ...common, retryable: status >= 500 });
}

/** The provider's error in OpenAI's shape, whatever shape it came in. */
export function toOpenAIErrorBody(status: number, bytes: Uint8Array): OpenAIErrorBody {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const error = (parsed as { error?: unknown } | undefined)?.error;
  if (error && typeof error === 'object') {
    const fields = error as Record<string, unknown>;
    return {
      error: {
        message: typeof fields.message === 'string' ? fields.message : JSON.stringify(error),
        type:
          typeof fields.type === 'string'
            ? fields.type
            : status >= 500
              ? 'api_error'
              : 'invalid_request_error',
        code: typeof fields.code === 'string' ? fields.code : null,
        param: typeof fields.param === 'string' ? fields.param : null,
      },
    };
  }
  const message = typeof error === 'string' ? error : text.trim().slice(0, 500) || `HTTP ${status}`;
  return {
    error: { message, type: status >= 500 ? 'api_error' : 'invalid_request_error', code: null, param: null },
  };
}

/** `retry-after-ms` (OpenAI) or `retry-after` (seconds or an HTTP date), in ms. */
export function parseRetryAfter(
  headers: Record<string, string | string[] | undefined>,
  now = Date.now(),
): number | undefined {
  const first = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const ms = Number(first('retry-after-ms'));
  if (Number.isFinite(ms) && ms >= 0 && first('retry-after-ms') !== undefined) return ms;
  const value = first('retry-after');
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
