import { type Kysely, type RawBuilder, SqliteAdapter, sql } from 'kysely';

// Never edit this file once it has landed: add a new numbered migration instead.
//
// Text search indexes the string values of inputs and outputs, not their JSON text. The JSON's
// escapes glued letters to words: a prompt's "…:\nkestrel" was indexed as "nkestrel", so a word
// after a line break (or a tab, or a quote) could not be found; and its keys ("role", "content")
// matched every chat. Same values on both engines: SQLite's documents are rebuilt from
// `json_tree` (the writer builds them alike, `searchBody`), PostgreSQL indexes `to_tsvector` of the
// `jsonb`, which takes string values only.

type Column = 'input' | 'output';

/** SQLite: the string values of a JSON column, space-separated, cut at 4,000 characters. */
const stringValues = (column: Column) =>
  sql.raw(`case when ${column} is null then ''
    when json_valid(${column}) then coalesce(substr((select group_concat(value, ' ') from json_tree(${column}) where type = 'text'), 1, 4000), '')
    else substr(${column}, 1, 4000) end`);

/** SQLite: the JSON text itself, as before this migration. */
const jsonText = (column: Column) => sql.raw(`substr(coalesce(${column}, ''), 1, 4000)`);

/** PostgreSQL: the index expressions; the trace store's text filter repeats the new one exactly. */
const postgresStringValues = `to_tsvector('simple', coalesce(input, 'null')::jsonb) || to_tsvector('simple', coalesce(output, 'null')::jsonb)`;
const postgresJsonText = `to_tsvector('simple', coalesce(input, '') || ' ' || coalesce(output, ''))`;

/** Replaces every SQLite search document (spans: rowid, traces: minus rowid) with `text`'s. */
async function rebuildSqliteDocuments(db: Kysely<unknown>, text: (column: Column) => RawBuilder<unknown>) {
  await sql`insert into text_search (text_search) values ('delete-all')`.execute(db);
  for (const [table, sign] of [
    ['spans', ''],
    ['traces', '-'],
  ] as const) {
    await sql`insert into text_search (rowid, body)
      select ${sql.raw(sign)}rowid, ${text('input')} || ' ' || ${text('output')}
      from ${sql.table(table)} where input is not null or output is not null`.execute(db);
  }
}

/** Replaces PostgreSQL's two GIN search indexes with ones on `expression`. */
async function replacePostgresIndexes(db: Kysely<unknown>, expression: string) {
  for (const table of ['spans', 'traces']) {
    await sql.raw(`drop index ${table}_text_idx`).execute(db);
    await sql.raw(`create index ${table}_text_idx on ${table} using gin ((${expression}))`).execute(db);
  }
}

const isSqlite = (db: Kysely<unknown>) => db.getExecutor().adapter instanceof SqliteAdapter;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (isSqlite(db)) await rebuildSqliteDocuments(db, stringValues);
  else await replacePostgresIndexes(db, postgresStringValues);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (isSqlite(db)) await rebuildSqliteDocuments(db, jsonText);
  else await replacePostgresIndexes(db, postgresJsonText);
}
