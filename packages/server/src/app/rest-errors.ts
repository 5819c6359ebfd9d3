import { type ErrorBody, FlywheelError } from '@flywheel/spec';
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Turns any error into a FlywheelError: ours pass through, Fastify's own (body parsing, size
 * limits, content types) get their stable codes, and everything else is an `internal_error`
 * whose cause stays in the log.
 */
export function toFlywheelError(error: unknown, bodyLimitBytes: number): FlywheelError {
  if (FlywheelError.is(error)) return error;
  const fastifyError = error as Partial<FastifyError> | null;
  switch (fastifyError?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return bodyTooLarge(bodyLimitBytes);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return notJsonBody();
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return emptyJsonBody();
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return invalidJsonBody();
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return contentLengthMismatch();
  }
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // JSON that is malformed or carries __proto__/constructor keys arrives as a SyntaxError with a 400.
    if (error instanceof SyntaxError)
      return new FlywheelError('invalid_json', `The request body is not valid JSON: ${error.message}`);
    return new FlywheelError('validation_failed', fastifyError?.message ?? 'The request is malformed.');
  }
  return new FlywheelError(
    'internal_error',
    'An unexpected error occurred; the server log has its details.',
    {
      cause: error,
    },
  );
}

// What a body Fastify could not read becomes; also thrown by `readJsonBody` (routes on the raw server).

export function bodyTooLarge(bodyLimitBytes: number): FlywheelError {
  return new FlywheelError(
    'payload_too_large',
    `The request body is larger than the limit of ${bodyLimitBytes} bytes (FLYWHEEL_BODY_LIMIT_BYTES; FLYWHEEL_INGEST_BODY_LIMIT_BYTES for ingestion).`,
  );
}

export function notJsonBody(): FlywheelError {
  return new FlywheelError(
    'unsupported_media_type',
    'Send the body as JSON with `Content-Type: application/json`.',
  );
}

export function emptyJsonBody(): FlywheelError {
  return new FlywheelError(
    'invalid_json',
    'The body is empty but `Content-Type` says JSON: send a JSON object.',
  );
}

export function invalidJsonBody(): FlywheelError {
  return new FlywheelError('invalid_json', 'The request body is not valid JSON.');
}

export function contentLengthMismatch(): FlywheelError {
  return new FlywheelError('validation_failed', 'The `Content-Length` header does not match the body.');
}

/**
 * Logs a failed request: unexpected failures as errors (with their cause), provider and storage
 * trouble (5xx) as warnings — expected weather, and traced; a caller's mistake not at all.
 * `fields` are added to the line (the request id, where `log` does not carry it).
 */
export function logFailure(
  log: FastifyBaseLogger,
  flywheelError: FlywheelError,
  error: unknown,
  fields: Record<string, unknown> = {},
): void {
  if (flywheelError.code === 'internal_error') {
    log.error(
      { ...fields, err: flywheelError.cause ?? error, code: flywheelError.code },
      flywheelError.message,
    );
  } else if (flywheelError.status >= 500) {
    log.warn({ ...fields, code: flywheelError.code }, flywheelError.message);
  }
}

/** Sends the REST error body and `Retry-After` for a FlywheelError. */
export function sendRestError(request: FastifyRequest, reply: FastifyReply, error: FlywheelError) {
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  const body: ErrorBody = {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
      request_id: request.id,
    },
  };
  return reply.status(error.status).send(body);
}
