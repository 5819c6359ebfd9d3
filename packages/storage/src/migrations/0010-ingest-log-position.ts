import { type Kysely, SqliteAdapter, sql } from 'kysely';

// Never edit this file once it has landed: add a new numbered migration instead.
//
// How far the trace indexer has merged the ingestion log (SQLite). The log itself is a database
// file of its own, `ingest-log.db` in the data dir, written only by the writer thread: the
// indexer's long merge transactions on this database then never hold up an append, and so an
// acknowledgement (decision 0015). A log row is merged and `upto` moved past it in one
// transaction here, so each row is merged once, crash or not. PostgreSQL writes ingested events
// directly and has no log.

const isSqlite = (db: Kysely<unknown>) => db.getExecutor().adapter instanceof SqliteAdapter;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isSqlite(db)) return;
  await sql`create table log_positions (
    name text primary key,
    upto integer not null
  )`.execute(db);
  await sql`insert into log_positions (name, upto) values ('ingest', 0)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!isSqlite(db)) return;
  await sql`drop table log_positions`.execute(db);
}
