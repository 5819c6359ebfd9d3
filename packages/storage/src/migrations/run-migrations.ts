import { FlywheelError } from '@flywheel/spec';
import { type Kysely, type MigrationResult, Migrator } from 'kysely';
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
  const current = (await migrator.getMigrations())
    .filter((migration) => migration.executedAt !== undefined)
    .map((migration) => migration.name);
  return { applied: applied.map((result) => result.migrationName), current };
}
