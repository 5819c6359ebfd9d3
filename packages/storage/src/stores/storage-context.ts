import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../schema/database-schema.js';

/** What every Kysely store needs: a connection (or transaction) and the dialect's error mapping. */
export interface StorageContext {
  db: Kysely<DatabaseSchema>;
  /** Runs a query, turning engine errors into `storage_*` FlywheelErrors. */
  run<T>(query: () => Promise<T>): Promise<T>;
}

/** A context whose `run` maps errors with `translateError`. */
export function createStorageContext(
  db: Kysely<DatabaseSchema>,
  translateError: (error: unknown) => unknown,
): StorageContext {
  return {
    db,
    async run(query) {
      try {
        return await query();
      } catch (error) {
        throw translateError(error);
      }
    },
  };
}
