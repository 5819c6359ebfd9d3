import { FlywheelError } from '@flywheel/spec';
import { type Kysely, type MigrationResult, Migrator, sql } from 'kysely';
import { migrations } from './migrations.js';

/** What a migration run did. */
export interface MigrationReport {
  /** Migrations applied by this run, in order. */
  applied: string[];
  /** Every migration the database now has. */
  current: string[];
}

/**
 * Brings the database to the latest migration. The pending migrations run in one transaction,
 * all or nothing (on SQLite too: see `TransactionalDdlSqliteDialect`), and on PostgreSQL the
 * migrator holds a lock, so several processes may start at once.
 */
export async function runMigrations(db: Kysely<unknown>): Promise<MigrationReport> {
  const names = Object.keys(migrations).sort();
  // Most starts find every migration applied. Kysely's migrator finds that out by introspecting
  // every table and its columns (twice, with the report below): 20–45 ms of CPU per start here,
  // for every command that opens the database. One read of the migration table says the same.
  if (await hasExactly(db, names)) return { applied: [], current: names };
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'flywheel_migrations',
    migrationLockTableName: 'flywheel_migrations_lock',
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  const applied = results.filter((result: MigrationResult) => result.status === 'Success');
  if (error) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new FlywheelError(
      'migration_failed',
      `Migration '${failed}' failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  // Success means every migration is applied (the migrator refuses a database that recorded one
  // this build does not know).
  return { applied: applied.map((result) => result.migrationName), current: names };
}

/**
 * Whether the database recorded exactly these migrations as applied. Anything else (no table
 * yet, one pending, one unknown to this build) is left to the migrator, which applies or refuses.
 * A migration run records its rows in the transaction that changes the schema, so a run in
 * progress elsewhere is not seen as done.
 */
async function hasExactly(db: Kysely<unknown>, names: string[]): Promise<boolean> {
  let recorded: Set<string>;
  try {
    const { rows } = await sql<{ name: string }>`select name from flywheel_migrations`.execute(db);
    recorded = new Set(rows.map((row) => row.name));
  } catch {
    return false;
  }
  return recorded.size === names.length && names.every((name) => recorded.has(name));
}
