import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { TransactionalDdlSqliteDialect } from './sqlite-dialect.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('migrations on SQLite', () => {
  it('apply all or nothing: a failing migration leaves none of the pending ones behind', async () => {
    dir = mkdtempSync(join(tmpdir(), 'flywheel-ddl-'));
    const database = new SqliteDatabase(join(dir, 'test.db'));
    const db = new Kysely<unknown>({ dialect: new TransactionalDdlSqliteDialect({ database }) });
    try {
      const migrator = new Migrator({
        db,
        provider: {
          getMigrations: async () => ({
            '0001-first': {
              up: async (trx) => void (await sql`create table first (id integer)`.execute(trx)),
            },
            '0002-broken': {
              up: async (trx) => {
                await sql`create table second (id integer)`.execute(trx);
                await sql`this is not sql`.execute(trx);
              },
            },
          }),
        },
      });
      const { error } = await migrator.migrateToLatest();
      expect(error).toBeDefined();
      const tables = database
        .prepare(`select name from sqlite_master where type = 'table' and name in ('first', 'second')`)
        .all();
      expect(tables).toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});
