import { type ErrorCode, errorCodes } from './error-codes.js';

/** Options of a {@link FlywheelError}. */
export interface FlywheelErrorOptions {
  /** Structured detail for the caller, e.g. the fields that failed validation. Must be JSON-safe. */
  details?: unknown;
  /** The underlying error, kept for logs; never sent to clients. */
  cause?: unknown;
  /** Overrides the status of the code (rarely needed). */
  status?: number;
  /** Seconds a client should wait before retrying (sent as `Retry-After`). */
  retryAfterSeconds?: number;
}

/**
 * The one error type of Flywheel. Everything that can go wrong in a way a caller should
 * understand is a `FlywheelError` with a stable `code`; only the server boundary maps it to HTTP.
 *
 * @example
 * throw new FlywheelError('project_not_found', `No project with id '${id}'.`);
 */
export class FlywheelError extends Error {
  /** Stable machine-readable code (see `docs/errors.md`). */
  readonly code: ErrorCode;
  /** HTTP status this error maps to at the server boundary. */
  readonly status: number;
  /** Whether retrying the same request later may succeed. */
  readonly isRetryable: boolean;
  /** Structured detail for the caller. */
  readonly details: unknown;
  /** Seconds a client should wait before retrying, when known. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: FlywheelErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FlywheelError';
    this.code = code;
    this.status = options.status ?? errorCodes[code].status;
    this.isRetryable = errorCodes[code].retryable;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** Whether `value` is a FlywheelError (works across package copies, unlike `instanceof`). */
  static is(value: unknown): value is FlywheelError {
    return (
      value instanceof FlywheelError ||
      (value instanceof Error && value.name === 'FlywheelError' && 'code' in value)
    );
  }
}
