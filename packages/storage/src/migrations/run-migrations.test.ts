import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  createPostgresTestStorage,
  createSqliteTestStorage,
  kyselyAtMigration,
} from '../testing-internal/test-databases.js';
import { migrations } from './migrations.js';

// A start that finds every migration applied reads the migration table once and stops there;
// any other state goes to the migrator as before.
describe.each([
  ['sqlite', createSqliteTestStorage],
  ['postgres', createPostgresTestStorage],
])('migrations on %s', (_engine, create) => {
  const latest = Object.keys(migrations).sort().at(-1)!;

  it('reports a database at the latest migration as current, applying nothing', async () => {
    const test = await create();
    try {
      const report = await test.storage.migrate();
      expect(report).toEqual({ applied: [], current: Object.keys(migrations).sort() });
    } finally {
      await test.dispose();
    }
  });

  it('refuses a database that recorded a migration this build does not know', async () => {
    const test = await create();
    const db = await kyselyAtMigration(test, latest);
    try {
      await sql`insert into flywheel_migrations (name, timestamp) values ('9999-from-a-newer-build', '2026-12-07T00:00:00.000Z')`.execute(
        db,
      );
      await expect(test.storage.migrate()).rejects.toMatchObject({ code: 'migration_failed' });
      await sql`delete from flywheel_migrations where name = '9999-from-a-newer-build'`.execute(db);
      expect((await test.storage.migrate()).applied).toEqual([]);
    } finally {
      await db.destroy();
      await test.dispose();
    }
  });

  it('applies what is pending and reports every migration', async () => {
    const test = await create({ migrate: false });
    const db = await kyselyAtMigration(test, '0008-search-string-values');
    await db.destroy();
    try {
      const report = await test.storage.migrate();
      expect(report.applied).toEqual([
        '0009-gateway-log',
        '0010-ingest-log-position',
        '0011-gateway-log-position',
      ]);
      expect(report.current).toEqual(Object.keys(migrations).sort());
    } finally {
      await test.dispose();
    }
  });
});
