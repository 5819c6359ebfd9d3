import type { ErrorCode } from './error-codes.js';
import { FlywheelError } from './flywheel-error.js';

/** Which phase of an upstream call failed. */
export type UpstreamPhase = 'connect' | 'first_token' | 'idle' | 'total' | 'response' | 'stream';

/** Options of an {@link UpstreamError}. */
export interface UpstreamErrorOptions {
  /** HTTP status the upstream answered, or undefined when none came (network error, timeout). */
  upstreamStatus?: number;
  /** The upstream's error body, already in OpenAI shape when possible. */
  upstreamBody?: unknown;
  /** Whether the gateway may retry or fail over. */
  retryable: boolean;
  /** How long the upstream asked us to wait (`Retry-After`), in ms. */
  retryAfterMs?: number;
  phase: UpstreamPhase;
  cause?: unknown;
}

/**
 * A failed call to a model provider. The gateway retries or fails over on `retryable` ones
 * (429, 5xx, 529, connection errors, timeouts) and never on the rest (other 4xx).
 */
export class UpstreamError extends FlywheelError {
  readonly upstreamStatus: number | undefined;
  readonly upstreamBody: unknown;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly phase: UpstreamPhase;

  constructor(
    code: Extract<ErrorCode, `upstream_${string}`>,
    message: string,
    options: UpstreamErrorOptions,
  ) {
    super(code, message, {
      cause: options.cause,
      ...(options.upstreamStatus !== undefined &&
      options.upstreamStatus >= 400 &&
      options.upstreamStatus < 500
        ? { status: options.upstreamStatus }
        : {}),
      ...(options.retryAfterMs === undefined
        ? {}
        : { retryAfterSeconds: Math.ceil(options.retryAfterMs / 1000) }),
    });
    this.name = 'FlywheelError';
    this.upstreamStatus = options.upstreamStatus;
    this.upstreamBody = options.upstreamBody;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.phase = options.phase;
  }

  /** Whether `value` is an UpstreamError. */
  static isUpstream(value: unknown): value is UpstreamError {
    return FlywheelError.is(value) && 'phase' in value && 'retryable' in value;
  }
}
