import { FlywheelError, type OpenAIErrorBody, UpstreamError } from '@flywheel/spec';

/** The OpenAI error `type` for a status, as OpenAI's own API uses them. */
function typeForStatus(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/**
 * How `/v1/*` answers an error: the OpenAI error shape, so OpenAI clients surface it as they
 * would OpenAI's own. A provider's 4xx goes back with the provider's status and message; our
 * own errors carry Flywheel's stable code in `code`.
 */
export function toOpenAIError(error: FlywheelError): { status: number; body: OpenAIErrorBody } {
  if (UpstreamError.isUpstream(error) && error.upstreamStatus !== undefined) {
    const upstream = error.upstreamBody as OpenAIErrorBody | undefined;
    const status = error.upstreamStatus;
    if (status === 401 || status === 403) {
      // The provider refused the gateway's own credentials: passing 401 on would tell the caller
      // its Flywheel key is wrong. It is a configuration fault upstream, so 502, key text redacted.
      const detail = redactKeys(upstream?.error?.message ?? `HTTP ${status}`);
      return {
        status: 502,
        body: {
          error: {
            message: `The provider refused the gateway's credentials (${status}): ${detail}`,
            type: 'api_error',
            code: 'upstream_error',
            param: null,
          },
        },
      };
    }
    if (status >= 400 && status < 500 && status !== 429 && upstream?.error) return { status, body: upstream };
  }
  const param =
    error.code === 'validation_failed'
      ? ((error.details as { param?: string } | undefined)?.param ?? null)
      : null;
  return {
    status: error.status,
    body: { error: { message: error.message, type: typeForStatus(error.status), code: error.code, param } },
  };
}

/** Masks anything that looks like an API key in a provider's message. */
function redactKeys(text: string): string {
  return text.replace(/\b(sk|fw_sk|sk-ant|key)[-_][A-Za-z0-9*_-]{4,}/g, '[redacted key]');
}

/** An error for a bad gateway request, naming the parameter like OpenAI does. */
export function invalidParameter(param: string, message: string): FlywheelError {
  return new FlywheelError('validation_failed', message, { details: { param } });
}
