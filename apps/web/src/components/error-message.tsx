import { FlywheelError } from '@flywheel/sdk';

/**
 * An error as the user should see it: the server's own message and its stable code (see
 * docs/errors.md) for a `FlywheelError`, the message of anything else. Announced as an alert.
 *
 * @example
 * if (metrics.isError) return <ErrorMessage title="Could not load metrics" error={metrics.error} onRetry={() => metrics.refetch()} />;
 */
export function ErrorMessage({
  error,
  title = 'Something went wrong',
  onRetry,
}: {
  error: unknown;
  title?: string;
  /** Offers a "Try again" button when given. */
  onRetry?: () => void;
}) {
  const { message, code } = describe(error);
  return (
    <div className="state state-error" role="alert">
      <p className="state-error-title">{title}</p>
      <p>{message}</p>
      {code ? (
        <p className="state-error-code">
          Error code: <code>{code}</code>
        </p>
      ) : null}
      {onRetry ? (
        <div className="state-actions">
          <button type="button" className="button" onClick={onRetry}>
            Try again
          </button>
        </div>
      ) : null}
    </div>
  );
}

function describe(error: unknown): { message: string; code: string | undefined } {
  if (FlywheelError.is(error)) return { message: error.message, code: error.code };
  if (error instanceof Error) return { message: error.message, code: undefined };
  return { message: String(error), code: undefined };
}
