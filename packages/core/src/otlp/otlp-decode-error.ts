import { FlywheelError } from '@flywheel/spec';

/**
 * An OTLP body that cannot be decoded as a whole (broken protobuf, JSON that is not an
 * ExportTraceServiceRequest). Carries the `invalid_otlp` code, so the server answers 400 and
 * stores nothing of the request. Single bad spans are not errors: decoders count them instead.
 *
 * @example
 * try {
 *   decodeOtlpProtobuf(body);
 * } catch (error) {
 *   if (OtlpDecodeError.isOtlpDecode(error)) error.offset; // e.g. 123
 * }
 */
export class OtlpDecodeError extends FlywheelError {
  /** Byte offset in a protobuf body where decoding failed; undefined for JSON. */
  readonly offset: number | undefined;

  constructor(message: string, options: { offset?: number; cause?: unknown } = {}) {
    super('invalid_otlp', message, {
      ...(options.offset === undefined ? {} : { details: { offset: options.offset } }),
      cause: options.cause,
    });
    this.offset = options.offset;
  }

  /** Whether `value` is an OtlpDecodeError (works across package copies, unlike `instanceof`). */
  static isOtlpDecode(value: unknown): value is OtlpDecodeError {
    return FlywheelError.is(value) && value.code === 'invalid_otlp';
  }
}
