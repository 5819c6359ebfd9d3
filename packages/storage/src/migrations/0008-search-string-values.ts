import { type Kysely, SqliteAdapter, sql } from 'kysely';

// Never edit this file once it has landed: add a new numbered migration instead.
//
// Text search indexes the string values of inputs and outputs, not their JSON text. The JSON's
// escapes glued letters to words: a prompt's "…:\nkestrel" was indexed as "nkestrel", so a word
// after a line break (or a tab, or a quote) could not be found; and its keys ("role", "content")
// matched every chat. Same values on both engines: SQLite's documents are rebuilt from
// `json_tree` (the writer builds them alike, `searchBody`), PostgreSQL indexes `to_tsvector` of the
// `jsonb`, which takes string values only.

/** SQLite: the string values of a JSON column, space-separated, cut at 4,000 characters. */
const sqliteValues = (column: 'input' | 'output') =>
  sql.raw(`case when ${column} is null then ''
    when json_valid(${column}) then coalesce(substr((select group_concat(value, ' ') from json_tree(${column}) where type = 'text'), 1, 4000), '')
    else substr(${column}, 1, 4000) end`);

/** PostgreSQL: the index expression; the trace store's text filter repeats it exactly. */
const postgresDocument = (alias: string) =>
  `(to_tsvector('simple', coalesce(${alias}input, 'null')::jsonb) || to_tsvector('simple', coalesce(${alias}output, 'null')::jsonb))`;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await sql`insert into text_search (text_search) values ('delete-all')`.execute(db);
    for (const [table, sign] of [
      ['spans', ''],
      ['traces', '-'],
    ] as const) {
      await sql`insert into text_search (rowid, body)
        select ${sql.raw(sign)}rowid, ${sqliteValues('input')} || ' ' || ${sqliteValues('output')}
        from ${sql.table(table)} where input is not null or output is not null`.execute(db);
    }
    return;
  }
  await sql`drop index spans_text_idx`.execute(db);
  await sql`drop index traces_text_idx`.execute(db);
  await sql.raw(`create index spans_text_idx on spans using gin (${postgresDocument('')})`).execute(db);
  await sql.raw(`create index traces_text_idx on traces using gin (${postgresDocument('')})`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const json = `coalesce(input, '') || ' ' || coalesce(output, '')`;
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await sql`insert into text_search (text_search) values ('delete-all')`.execute(db);
    for (const [table, sign] of [
      ['spans', ''],
      ['traces', '-'],
    ] as const) {
      await sql`insert into text_search (rowid, body)
        select ${sql.raw(sign)}rowid, substr(coalesce(input, ''), 1, 4000) || ' ' || substr(coalesce(output, ''), 1, 4000)
        from ${sql.table(table)} where input is not null or output is not null`.execute(db);
    }
    return;
  }
  await sql`drop index spans_text_idx`.execute(db);
  await sql`drop index traces_text_idx`.execute(db);
  await sql
    .raw(`create index spans_text_idx on spans using gin (to_tsvector('simple', ${json}))`)
    .execute(db);
  await sql
    .raw(`create index traces_text_idx on traces using gin (to_tsvector('simple', ${json}))`)
    .execute(db);
}
