import { errorBodySchema, type FetchAnswer, FlywheelError, isErrorCode } from '@flywheel/spec';

/** The JSON of an answer's text, or `undefined` when it is empty or not JSON. */
export function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A non-2xx answer as a `FlywheelError`: the server's stable code when it sent its error body,
 * else a code chosen by status (a proxy in front of the server may answer in its own shape).
 */
export function responseError(response: FetchAnswer, json: unknown, text: string): FlywheelError {
  const body = errorBodySchema.safeParse(json);
  const retryAfter = Number(response.headers.get('retry-after'));
  const retry = Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {};
  if (body.success) {
    const { code, message, details } = body.data.error;
    return new FlywheelError(isErrorCode(code) ? code : 'internal_error', message, {
      status: response.status,
      details: isErrorCode(code) ? details : { code, details },
      ...retry,
    });
  }
  return new FlywheelError(
    response.status >= 500 ? 'server_unreachable' : 'internal_error',
    `The server answered ${response.status} ${response.statusText}: ${text.slice(0, 200)}`,
    { status: response.status, ...retry },
  );
}

/** A network failure's message with its cause (fetch hides the useful part, e.g. ECONNREFUSED, there). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
