import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stores } from '@flywheel/core';
import { createInMemoryStores } from '@flywheel/core/testing';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { expect, inject } from 'vitest';
import { migrations } from '../migrations/migrations.js';
import { openStorage, type Storage, type StorageOptions } from '../open-storage.js';

/** A migrated storage on a fresh database, and how to throw it away. */
export interface TestStorage {
  storage: Storage;
  options: StorageOptions;
  dispose(): Promise<void>;
}

/** A fresh SQLite database in its own temporary data dir. */
export async function createSqliteTestStorage(setup: { migrate?: boolean } = {}): Promise<TestStorage> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flywheel-sqlite-'));
  const options: StorageOptions = { dataDir };
  const storage = openStorage(options);
  if (setup.migrate !== false) await storage.migrate();
  return {
    storage,
    options,
    async dispose() {
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh database on the test run's PostgreSQL server. */
export async function createPostgresTestStorage(setup: { migrate?: boolean } = {}): Promise<TestStorage> {
  const adminUrl = inject('postgresUrl');
  const name = `flywheel_test_${Math.random().toString(36).slice(2, 12)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const options: StorageOptions = { databaseUrl: url.toString(), dataDir: tmpdir() };
  const storage = openStorage(options);
  if (setup.migrate !== false) await storage.migrate();
  return {
    storage,
    options,
    async dispose() {
      await storage.close();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/** Stores under test and how to throw them away. */
export interface ContractStores {
  stores: Stores;
  dispose(): Promise<void>;
}

/**
 * Every engine a store contract runs on: the in-memory double, SQLite and PostgreSQL.
 *
 * @example
 * describe.each(contractEngines)('prompt store contract on %s', (_engine, open) => { … });
 */
export const contractEngines: Array<[string, () => Promise<ContractStores>]> = [
  ['memory', async () => ({ stores: createInMemoryStores(), dispose: async () => {} })],
  [
    'sqlite',
    async () => {
      const test = await createSqliteTestStorage();
      return { stores: test.storage.stores, dispose: test.dispose };
    },
  ],
  [
    'postgres',
    async () => {
      const test = await createPostgresTestStorage();
      return { stores: test.storage.stores, dispose: test.dispose };
    },
  ],
];

/**
 * For migration tests: a connection of its own to `test`'s database (made with
 * `{ migrate: false }`), migrated up to `migration` and no further, to write rows as they were
 * before the migrations after it. Destroy it before migrating `test.storage` the rest of the way.
 */
export async function kyselyAtMigration(test: TestStorage, migration: string): Promise<Kysely<unknown>> {
  const db: Kysely<unknown> = test.options.databaseUrl
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
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'flywheel_migrations',
    migrationLockTableName: 'flywheel_migrations_lock',
  });
  expect((await migrator.migrateTo(migration)).error).toBeUndefined();
  return db;
}
