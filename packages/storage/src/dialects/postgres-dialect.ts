import { createRequire } from 'node:module';
import { FlywheelError } from '@flywheel/spec';
import { Kysely, PostgresDialect } from 'kysely';
import type pgModule from 'pg';
import type { DatabaseSchema } from '../schema/database-schema.js';
import type { StorageDialect } from './storage-dialect.js';

/** Options of {@link createPostgresDialect}. */
export interface PostgresDialectOptions {
  /** `postgres://user:password@host:port/database` */
  connectionString: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** How long to wait for a connection before failing with `storage_unavailable` (ms, default 5000). */
  connectTimeoutMs?: number;
}

// `pg` is loaded on first use: every process that stays on SQLite (the default, and every CLI
// command on a local data dir) skips loading it (~25 ms of start-up CPU, measured with --cpu-prof).
const require = createRequire(import.meta.url);
let pgLoaded: typeof pgModule | undefined;

/** PostgreSQL through a `pg` pool. */
export function createPostgresDialect(options: PostgresDialectOptions): StorageDialect {
  pgLoaded ??= require('pg') as typeof pgModule;
  const pool = new pgLoaded.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return {
    kind: 'postgres',
    db: new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) }),
    location: redactConnectionString(options.connectionString),
    translateError: translatePostgresError,
  };
}

/** The connection string without its password, for logs. */
export function redactConnectionString(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://(unparseable)';
  }
}

const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
]);

function translatePostgresError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  if (
    (typeof code === 'string' &&
      (unavailableCodes.has(code) || code.startsWith('08') || code.startsWith('57P'))) ||
    code === '53300' ||
    /timeout exceeded when trying to connect|Connection terminated/i.test(message)
  ) {
    return new FlywheelError(
      'storage_unavailable',
      'The PostgreSQL server cannot be reached; retry shortly.',
      {
        cause: error,
        retryAfterSeconds: 2,
      },
    );
  }
  if (code === '40001' || code === '40P01' || code === '55P03') {
    return new FlywheelError(
      'storage_busy',
      'The database is busy with a conflicting write; retry shortly.',
      {
        cause: error,
        retryAfterSeconds: 1,
      },
    );
  }
  if (code === '53100') {
    return new FlywheelError('storage_full', 'The disk holding the database is full; nothing was written.', {
      cause: error,
      retryAfterSeconds: 30,
    });
  }
  return error;
}
