import { join } from 'node:path';
import type { StoreSet, Stores } from '@flywheel/core';
import { FlywheelError } from '@flywheel/spec';
import { type Kysely, sql } from 'kysely';
import { createPostgresDialect } from './dialects/postgres-dialect.js';
import { createSqliteDialect } from './dialects/sqlite-dialect.js';
import type { StorageDialect } from './dialects/storage-dialect.js';
import { type MigrationReport, runMigrations } from './migrations/run-migrations.js';
import type { DatabaseSchema } from './schema/database-schema.js';
import { createApiKeyStore } from './stores/api-key-store.js';
import { createDatasetStore } from './stores/dataset-store.js';
import { createExperimentStore } from './stores/experiment-store.js';
import { createInstanceStore } from './stores/instance-store.js';
import { createProjectStore } from './stores/project-store.js';
import { createPromptStore } from './stores/prompt-store.js';
import { createProviderCredentialStore } from './stores/provider-credential-store.js';
import { createStorageContext } from './stores/storage-context.js';
import { createTraceStore } from './stores/trace-store.js';

/** Where to keep the data. */
export interface StorageOptions {
  /** `postgres://…` to use PostgreSQL; unset for SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** Folder of the SQLite database (`flywheel.db`). */
  dataDir: string;
  /** SQLite busy timeout in ms. */
  busyTimeoutMs?: number;
  /** PostgreSQL pool size. */
  poolSize?: number;
}

/** An open database: the stores, migrations and the way to close it. */
export interface Storage {
  readonly stores: Stores;
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data lives, safe to print. */
  readonly location: string;
  /** Brings the schema to the latest migration. */
  migrate(): Promise<MigrationReport>;
  /** Closes every connection; idempotent. */
  close(): Promise<void>;
}

/**
 * Opens the database the settings name: PostgreSQL when `databaseUrl` is set, otherwise
 * SQLite at `<dataDir>/flywheel.db`. Does not migrate: call `migrate()`.
 *
 * @example
 * const storage = openStorage({ dataDir: '.flywheel' });
 * await storage.migrate();
 */
export function openStorage(options: StorageOptions): Storage {
  const dialect: StorageDialect = options.databaseUrl
    ? createPostgresDialect({
        connectionString: options.databaseUrl,
        ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
      })
    : createSqliteDialect({
        filename: join(options.dataDir, 'flywheel.db'),
        ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
      });
  const storeSet = (db: Kysely<DatabaseSchema>): StoreSet => {
    const context = createStorageContext(db, dialect.translateError);
    return {
      projects: createProjectStore(context),
      apiKeys: createApiKeyStore(context),
      instance: createInstanceStore(context),
      traces: createTraceStore(context, dialect.kind),
      providerCredentials: createProviderCredentialStore(context),
      prompts: createPromptStore(context),
      experiments: createExperimentStore(context),
      datasets: createDatasetStore(context),
    };
  };
  let closed: Promise<void> | undefined;
  const stores: Stores = {
    ...storeSet(dialect.db),
    kind: dialect.kind,
    async transaction(work) {
      try {
        return await dialect.db.transaction().execute((transaction) => work(storeSet(transaction)));
      } catch (error) {
        throw FlywheelError.is(error) ? error : dialect.translateError(error);
      }
    },
    async ping() {
      try {
        await sql`select 1`.execute(dialect.db);
      } catch (error) {
        const translated = dialect.translateError(error);
        throw FlywheelError.is(translated)
          ? translated
          : new FlywheelError('storage_unavailable', 'The database does not answer.', { cause: error });
      }
    },
  };
  return {
    stores,
    kind: dialect.kind,
    location: dialect.location,
    async migrate() {
      try {
        return await runMigrations(dialect.db as unknown as Kysely<unknown>);
      } catch (error) {
        // A migration that failed because the database was locked or unreachable is a
        // storage_* error the caller can retry; anything else stays migration_failed.
        const cause = FlywheelError.is(error) && error.code === 'migration_failed' ? error.cause : error;
        const translated = dialect.translateError(cause);
        throw FlywheelError.is(translated) ? translated : error;
      }
    },
    close() {
      closed ??= dialect.db.destroy();
      return closed;
    },
  };
}
