import type { Kysely } from 'kysely';

// Never edit this file once it has landed: add a new numbered migration instead.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('traces')
    .addColumn('project_id', 'text', (column) => column.notNull().references('projects.id'))
    .addColumn('id', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('start_time', 'text', (column) => column.notNull())
    .addColumn('end_time', 'text')
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('user_id', 'text')
    .addColumn('session_id', 'text')
    .addColumn('environment', 'text')
    .addColumn('release', 'text')
    .addColumn('tags', 'text', (column) => column.notNull())
    .addColumn('metadata', 'text', (column) => column.notNull())
    .addColumn('input', 'text')
    .addColumn('output', 'text')
    .addPrimaryKeyConstraint('traces_pk', ['project_id', 'id'])
    .execute();
  await db.schema
    .createIndex('traces_project_start_idx')
    .on('traces')
    .columns(['project_id', 'start_time'])
    .execute();

  await db.schema
    .createTable('spans')
    .addColumn('project_id', 'text', (column) => column.notNull().references('projects.id'))
    .addColumn('id', 'text', (column) => column.notNull())
    .addColumn('trace_id', 'text', (column) => column.notNull())
    .addColumn('parent_id', 'text')
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('start_time', 'text', (column) => column.notNull())
    .addColumn('end_time', 'text')
    .addColumn('duration_ms', 'double precision')
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('status_message', 'text')
    .addColumn('input', 'text')
    .addColumn('output', 'text')
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
    .addPrimaryKeyConstraint('spans_pk', ['project_id', 'id'])
    .execute();
  await db.schema
    .createIndex('spans_project_trace_idx')
    .on('spans')
    .columns(['project_id', 'trace_id'])
    .execute();
  await db.schema
    .createIndex('spans_project_start_idx')
    .on('spans')
    .columns(['project_id', 'start_time'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('spans').execute();
  await db.schema.dropTable('traces').execute();
}
