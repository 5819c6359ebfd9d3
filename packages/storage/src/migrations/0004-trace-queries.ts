import { latencyBucket } from '@flywheel/core';
import { type Kysely, SqliteAdapter, sql } from 'kysely';

// Never edit this file once it has landed: add a new numbered migration instead.
//
// Tracing ingestion: spans and traces may arrive in any order and in parts, so declared fields
// become nullable; traces carry aggregates over their spans (kept at write time, so the trace
// list never scans spans); scores; per-minute metric rollups; full-text search (FTS5 on
// SQLite, a GIN index on PostgreSQL). SQLite cannot alter columns, so both tables are rebuilt
// and their rows copied.

export async function up(db: Kysely<unknown>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema.dropIndex('traces_project_start_idx').execute();
  await db.schema.dropIndex('spans_project_trace_idx').execute();
  await db.schema.dropIndex('spans_project_start_idx').execute();
  await db.schema.alterTable('traces').renameTo('traces_0002').execute();
  await db.schema.alterTable('spans').renameTo('spans_0002').execute();
  if (!sqlite) {
    // PostgreSQL names primary keys schema-wide (they are indexes); free the names for the new tables.
    await sql`alter table traces_0002 rename constraint traces_pk to traces_0002_pk`.execute(db);
    await sql`alter table spans_0002 rename constraint spans_pk to spans_0002_pk`.execute(db);
  }

  await db.schema
    .createTable('traces')
    .addColumn('project_id', 'text', (column) => column.notNull().references('projects.id'))
    .addColumn('id', 'text', (column) => column.notNull())
    .addColumn('name', 'text')
    .addColumn('start_time', 'text')
    .addColumn('end_time', 'text')
    .addColumn('status', 'text')
    .addColumn('user_id', 'text')
    .addColumn('session_id', 'text')
    .addColumn('environment', 'text')
    .addColumn('release', 'text')
    .addColumn('tags', 'text', (column) => column.notNull())
    .addColumn('metadata', 'text', (column) => column.notNull())
    .addColumn('input', 'text')
    .addColumn('output', 'text')
    .addColumn('event_time', 'text', (column) => column.notNull())
    .addColumn('root_name', 'text')
    .addColumn('span_start_min', 'text')
    .addColumn('span_end_max', 'text')
    .addColumn('span_count', 'integer', (column) => column.notNull())
    .addColumn('error_count', 'integer', (column) => column.notNull())
    .addColumn('input_tokens', 'bigint', (column) => column.notNull())
    .addColumn('output_tokens', 'bigint', (column) => column.notNull())
    .addColumn('cost', 'double precision')
    .addColumn('unknown_cost_count', 'integer', (column) => column.notNull())
    .addColumn('models', 'text', (column) => column.notNull())
    .addColumn('sort_time', 'text', (column) => column.notNull())
    .addColumn('display_name', 'text', (column) => column.notNull())
    .addColumn('display_status', 'text', (column) => column.notNull())
    .addColumn('latency_ms', 'double precision')
    .addPrimaryKeyConstraint('traces_pk', ['project_id', 'id'])
    .execute();
  await db.schema
    .createTable('spans')
    .addColumn('project_id', 'text', (column) => column.notNull().references('projects.id'))
    .addColumn('id', 'text', (column) => column.notNull())
    .addColumn('trace_id', 'text', (column) => column.notNull())
    .addColumn('parent_id', 'text')
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('start_time', 'text')
    .addColumn('end_time', 'text')
    .addColumn('duration_ms', 'double precision')
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('status_message', 'text')
    .addColumn('input', 'text')
    .addColumn('output', 'text')
    .addColumn('input_truncated', 'integer', (column) => column.notNull())
    .addColumn('output_truncated', 'integer', (column) => column.notNull())
    .addColumn('model', 'text')
    .addColumn('provider', 'text')
    .addColumn('input_tokens', 'integer')
    .addColumn('output_tokens', 'integer')
    .addColumn('cached_input_tokens', 'integer')
    .addColumn('reasoning_tokens', 'integer')
    .addColumn('usage_estimated', 'integer')
    .addColumn('cost', 'double precision')
    .addColumn('time_to_first_token_ms', 'double precision')
    .addColumn('attributes', 'text', (column) => column.notNull())
    .addColumn('prompt_name', 'text')
    .addColumn('prompt_version', 'integer')
    .addColumn('event_time', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('spans_pk', ['project_id', 'id'])
    .execute();
  await db.schema
    .createTable('scores')
    .addColumn('project_id', 'text', (column) => column.notNull().references('projects.id'))
    .addColumn('id', 'text', (column) => column.notNull())
    .addColumn('trace_id', 'text', (column) => column.notNull())
    .addColumn('span_id', 'text')
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('data_type', 'text', (column) => column.notNull())
    .addColumn('number_value', 'double precision')
    .addColumn('string_value', 'text')
    .addColumn('source', 'text', (column) => column.notNull())
    .addColumn('comment', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('scores_pk', ['project_id', 'id'])
    .execute();
  await db.schema
    .createTable('span_rollups')
    .addColumn('project_id', 'text', (column) => column.notNull().references('projects.id'))
    .addColumn('bucket', 'text', (column) => column.notNull())
    .addColumn('model', 'text', (column) => column.notNull())
    .addColumn('prompt', 'text', (column) => column.notNull())
    .addColumn('requests', 'integer', (column) => column.notNull())
    .addColumn('errors', 'integer', (column) => column.notNull())
    .addColumn('input_tokens', 'bigint', (column) => column.notNull())
    .addColumn('output_tokens', 'bigint', (column) => column.notNull())
    .addColumn('cost', 'double precision', (column) => column.notNull())
    .addColumn('unknown_cost_count', 'integer', (column) => column.notNull())
    .addColumn('latency_sum', 'double precision', (column) => column.notNull())
    .addColumn('latency_count', 'integer', (column) => column.notNull())
    .addColumn('histogram', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('span_rollups_pk', ['project_id', 'bucket', 'model', 'prompt'])
    .execute();

  // Rows written before this migration came from the gateway: one trace and one span per call.
  await sql`insert into spans (project_id, id, trace_id, parent_id, kind, name, start_time, end_time,
      duration_ms, status, status_message, input, output, input_truncated, output_truncated, model,
      provider, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, usage_estimated,
      cost, time_to_first_token_ms, attributes, prompt_name, prompt_version, event_time)
    select project_id, id, trace_id, parent_id, kind, name, start_time, end_time, duration_ms,
      status, status_message, input, output, 0, 0, model, provider, input_tokens, output_tokens,
      cached_input_tokens, reasoning_tokens, usage_estimated, cost, time_to_first_token_ms,
      attributes, null, null, coalesce(end_time, start_time)
    from spans_0002`.execute(db);
  const ofTrace = sql`from spans_0002 s where s.project_id = t.project_id and s.trace_id = t.id`;
  await sql`insert into traces (project_id, id, name, start_time, end_time, status, user_id,
      session_id, environment, release, tags, metadata, input, output, event_time, root_name,
      span_start_min, span_end_max, span_count, error_count, input_tokens, output_tokens, cost,
      unknown_cost_count, models, sort_time, display_name, display_status, latency_ms)
    select t.project_id, t.id, t.name, t.start_time, t.end_time, t.status, t.user_id, t.session_id,
      t.environment, t.release, t.tags, t.metadata, t.input, t.output,
      coalesce(t.end_time, t.start_time),
      (select min(s.name) ${ofTrace} and s.parent_id is null),
      (select min(s.start_time) ${ofTrace}),
      (select max(s.end_time) ${ofTrace}),
      (select count(*) ${ofTrace}),
      (select count(*) ${ofTrace} and s.status = 'error'),
      coalesce((select sum(s.input_tokens) ${ofTrace}), 0),
      coalesce((select sum(s.output_tokens) ${ofTrace}), 0),
      (select sum(s.cost) ${ofTrace}),
      (select count(*) ${ofTrace} and s.kind = 'generation' and s.cost is null),
      coalesce((select '["' || replace(replace(min(s.model), '\\', '\\\\'), '"', '\\"') || '"]' ${ofTrace} and s.model is not null), '[]'),
      t.start_time, t.name, case when t.status = 'error' then 'error' else 'ok' end,
      (select max(s.duration_ms) ${ofTrace})
    from traces_0002 t`.execute(db);
  await db.schema.dropTable('spans_0002').execute();
  await db.schema.dropTable('traces_0002').execute();

  await db.schema
    .createIndex('traces_project_sort_idx')
    .on('traces')
    .columns(['project_id', 'sort_time', 'id'])
    .execute();
  await db.schema
    .createIndex('traces_project_session_idx')
    .on('traces')
    .columns(['project_id', 'session_id'])
    .execute();
  await db.schema
    .createIndex('traces_project_user_idx')
    .on('traces')
    .columns(['project_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('spans_project_trace_idx')
    .on('spans')
    .columns(['project_id', 'trace_id'])
    .execute();
  await db.schema
    .createIndex('scores_project_trace_idx')
    .on('scores')
    .columns(['project_id', 'trace_id'])
    .execute();
  await backfillRollups(db);

  if (sqlite) {
    // One document per span (rowid = the span's rowid) and per trace (rowid = minus the trace's).
    // Contentless (the text lives in spans and traces already) and without positions (searches
    // are sets of words): indexing cost roughly halved next to a regular FTS5 table.
    await sql`create virtual table text_search using fts5(body, content = '', contentless_delete = 1, detail = none, tokenize = 'unicode61')`.execute(
      db,
    );
    await sql`insert into text_search (rowid, body)
      select rowid, substr(coalesce(input, ''), 1, 4000) || ' ' || substr(coalesce(output, ''), 1, 4000) from spans
      where input is not null or output is not null`.execute(db);
    await sql`insert into text_search (rowid, body)
      select -rowid, substr(coalesce(input, ''), 1, 4000) || ' ' || substr(coalesce(output, ''), 1, 4000) from traces
      where input is not null or output is not null`.execute(db);
  } else {
    await sql`create index spans_text_idx on spans using gin (to_tsvector('simple', coalesce(input, '') || ' ' || coalesce(output, '')))`.execute(
      db,
    );
    await sql`create index traces_text_idx on traces using gin (to_tsvector('simple', coalesce(input, '') || ' ' || coalesce(output, '')))`.execute(
      db,
    );
  }
}

interface GenerationRow {
  project_id: string;
  id: string;
  start_time: string | null;
  model: string | null;
  status: string;
  input_tokens: number | null;
  output_tokens: number | null;
  cost: number | null;
  duration_ms: number | null;
}

async function backfillRollups(db: Kysely<unknown>): Promise<void> {
  const cells = new Map<
    string,
    { key: [string, string, string]; values: number[]; histogram: Record<string, number> }
  >();
  let after: [string, string] = ['', ''];
  for (;;) {
    const page = await sql<GenerationRow>`select project_id, id, start_time, model, status, input_tokens,
        output_tokens, cost, duration_ms from spans
      where kind = 'generation' and start_time is not null
        and (project_id > ${after[0]} or (project_id = ${after[0]} and id > ${after[1]}))
      order by project_id, id limit 5000`.execute(db);
    if (page.rows.length === 0) break;
    for (const row of page.rows) {
      const key: [string, string, string] = [
        row.project_id,
        `${row.start_time!.slice(0, 16)}:00.000Z`,
        row.model ?? '',
      ];
      const mapKey = key.join('\u0000');
      let cell = cells.get(mapKey);
      if (!cell) {
        cell = { key, values: [0, 0, 0, 0, 0, 0, 0, 0], histogram: {} };
        cells.set(mapKey, cell);
      }
      const duration = row.duration_ms === null ? null : Number(row.duration_ms);
      const add = [
        1,
        row.status === 'error' ? 1 : 0,
        Number(row.input_tokens ?? 0),
        Number(row.output_tokens ?? 0),
        row.cost === null ? 0 : Number(row.cost),
        row.cost === null ? 1 : 0,
        duration ?? 0,
        duration === null ? 0 : 1,
      ];
      cell.values = cell.values.map((value, index) => value + add[index]!);
      if (duration !== null) {
        const bucket = String(latencyBucket(duration));
        cell.histogram[bucket] = (cell.histogram[bucket] ?? 0) + 1;
      }
    }
    const last = page.rows[page.rows.length - 1]!;
    after = [last.project_id, last.id];
  }
  for (const { key, values, histogram } of cells.values()) {
    const [requests, errors, inputTokens, outputTokens, cost, unknown, latencySum, latencyCount] = values;
    await sql`insert into span_rollups (project_id, bucket, model, prompt, requests, errors, input_tokens,
        output_tokens, cost, unknown_cost_count, latency_sum, latency_count, histogram)
      values (${key[0]}, ${key[1]}, ${key[2]}, '', ${requests}, ${errors}, ${inputTokens}, ${outputTokens},
        ${cost}, ${unknown}, ${latencySum}, ${latencyCount}, ${JSON.stringify(histogram)})`.execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('0004-trace-queries cannot be undone: restore a backup taken before it.');
}
