// `@flywheel/spec/errors`: the error type and codes without the schemas (and so without zod), for
// code that must start fast, such as the trace writer thread.
export { type ErrorCode, isErrorCode } from './error-codes.js';
export { FlywheelError } from './flywheel-error.js';
