import { FlywheelError } from '@flywheel/spec/errors';

// SQLite's errors as Flywheel's, shared by the Kysely dialect and the trace writer thread (which
// imports this module alone, so that it starts without Kysely).

/** SQLite's busy, full and I/O errors as the matching Flywheel errors; any other error unchanged. */
export function translateSqliteError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return error;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new FlywheelError('storage_busy', 'The database is locked by another writer; retry shortly.', {
      cause: error,
      retryAfterSeconds: 1,
    });
  }
  if (code.startsWith('SQLITE_FULL')) {
    return new FlywheelError('storage_full', 'The disk holding the database is full; nothing was written.', {
      cause: error,
      retryAfterSeconds: 30,
    });
  }
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_IOERR') ||
    code.startsWith('SQLITE_READONLY')
  ) {
    return new FlywheelError('storage_unavailable', `The database file cannot be written (${code}).`, {
      cause: error,
      retryAfterSeconds: 5,
    });
  }
  return error;
}
