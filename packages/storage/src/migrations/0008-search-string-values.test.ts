import { join } from 'node:path';
import type { SpanPatch } from '@flywheel/core';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  createPostgresTestStorage,
  createSqliteTestStorage,
  type TestStorage,
} from '../testing-internal/test-databases.js';
import { migrations } from './migrations.js';

function kyselyFor(test: TestStorage): Kysely<unknown> {
  return test.options.databaseUrl
    ? new Kysely({
        dialect: new PostgresDialect({
          pool: new pg.Pool({ connectionString: test.options.databaseUrl, max: 1 }),
        }),
      })
    : new Kysely({
        dialect: new SqliteDialect({
          database: new SqliteDatabase(join(test.options.dataDir, 'flywheel.db')),
        }),
      });
}

const span: SpanPatch = {
  id: 'sp_old',
  traceId: 'tr_old',
  eventTime: '2026-11-01T10:00:01.000Z',
  kind: 'generation',
  name: 'chat',
  startTime: '2026-11-01T10:00:00.000Z',
  endTime: '2026-11-01T10:00:01.000Z',
  status: 'ok',
  input: [{ role: 'user', content: 'Summarize:\nkestrel sightings' }],
  output: { content: 'Two.\n\nmarmoset' },
};

describe.each([
  ['sqlite', createSqliteTestStorage],
  ['postgres', createPostgresTestStorage],
])('migration 0008 on %s', (engine, create) => {
  it('makes words after a line break findable in rows stored before it, and JSON keys not', async () => {
    const test = await create({ migrate: false });
    const db = kyselyFor(test);
    try {
      const migrator = new Migrator({
        db,
        provider: { getMigrations: async () => migrations },
        migrationTableName: 'flywheel_migrations',
        migrationLockTableName: 'flywheel_migrations_lock',
      });
      expect((await migrator.migrateTo('0007-experiments')).error).toBeUndefined();
      await sql`insert into projects (id, name, created_at) values ('proj_old', 'old', '2026-01-01T00:00:00.000Z')`.execute(
        db,
      );
      await test.storage.stores.traces.write({
        projectId: 'proj_old',
        traces: [{ id: 'tr_old', eventTime: span.eventTime, name: 'chat' }],
        spans: [span],
        scores: [],
      });
      if (engine === 'sqlite') {
        // The document as the code before 0008 wrote it: the JSON text.
        await sql`delete from text_search`.execute(db);
        await sql`insert into text_search (rowid, body) select rowid, input || ' ' || output from spans`.execute(
          db,
        );
      }
      const search = async (text: string) =>
        (await test.storage.stores.traces.listTraces('proj_old', { limit: 10, text })).map(
          (trace) => trace.id,
        );
      if (engine === 'sqlite') expect(await search('kestrel')).toEqual([]);

      await db.destroy();
      await test.storage.migrate();
      expect(await search('kestrel')).toEqual(['tr_old']);
      expect(await search('marmoset')).toEqual(['tr_old']);
      expect(await search('sightings user')).toEqual(['tr_old']);
      expect(await search('role')).toEqual([]);
      expect(await search('content')).toEqual([]);
      if (engine === 'postgres') {
        const db2 = kyselyFor(test);
        const { rows } = await sql<{ indexdef: string }>`select indexdef from pg_indexes
          where indexname in ('spans_text_idx', 'traces_text_idx')`.execute(db2);
        await db2.destroy();
        expect(rows).toHaveLength(2);
        for (const row of rows) expect(row.indexdef).toContain('jsonb');
      }
    } finally {
      await test.dispose();
    }
  });
});
