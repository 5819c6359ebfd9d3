import type { Kysely } from 'kysely';
import type { DatabaseSchema } from '../schema/database-schema.js';

/** What differs between the engines: how to connect, and what their errors mean. */
export interface StorageDialect {
  readonly kind: 'sqlite' | 'postgres';
  readonly db: Kysely<DatabaseSchema>;
  /** Where the data lives, safe to print (no password). */
  readonly location: string;
  /** Maps an engine error to a `storage_*` FlywheelError when it is one we understand. */
  translateError(error: unknown): unknown;
}
