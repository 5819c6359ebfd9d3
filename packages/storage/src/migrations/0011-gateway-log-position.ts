import { type Kysely, SqliteAdapter, sql } from 'kysely';

// Never edit this file once it has landed: add a new numbered migration instead.
//
// How far the trace indexer has indexed the gateway's trace log (SQLite). The log moved out of
// this database into a file of its own, `gateway-log.db` in the data dir, as the ingestion log
// did (decision 0018): the indexer's transactions on this database then never hold up an append.
// A log row is indexed and `upto` moved past it in one transaction here, so each frame of calls
// becomes traces once, crash or not. The `gateway_log` table of 0009 stays: rows an earlier
// version left there are indexed first, and no new rows are added. PostgreSQL has no log.

const isSqlite = (db: Kysely<unknown>) => db.getExecutor().adapter instanceof SqliteAdapter;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isSqlite(db)) return;
  await sql`insert into log_positions (name, upto) values ('gateway', 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!isSqlite(db)) return;
  await sql`delete from log_positions where name = 'gateway'`.execute(db);
}
