import { type Kysely, SqliteAdapter, sql } from 'kysely';

// Never edit this file once it has landed: add a new numbered migration instead.
//
// The gateway's trace log (SQLite): finished gateway calls are appended here, one row per batch
// the request thread handed over (`records`: how many calls; `data`: their JSON array), and
// committed durably. The trace indexer, a low-priority thread, turns them into traces and spans
// and deletes the rows it indexed in the same transaction, so a call is indexed once, crash or
// not. `autoincrement`: ids never go back, even when every row was deleted, so the indexer can
// read on from the last id it saw. PostgreSQL writes gateway traces directly and has no such
// table (decision 0013).

const isSqlite = (db: Kysely<unknown>) => db.getExecutor().adapter instanceof SqliteAdapter;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isSqlite(db)) return;
  await sql`create table gateway_log (
    id integer primary key autoincrement,
    records integer not null,
    data blob not null
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!isSqlite(db)) return;
  await sql`drop table gateway_log`.execute(db);
}
