import type { Kysely } from 'kysely';

// Never edit this file once it has landed: add a new numbered migration instead.
//
// Datasets for evaluation. `datasets.version` is the version counter: a write of items
// increments it in the same transaction that closes and inserts item rows, so the row lock
// (PostgreSQL) or the single writer (SQLite) orders concurrent writes and versions never
// interleave. Item rows are temporal: live from `valid_from` until `valid_to` (null while
// current), so every past version can be read back exactly. `seq` is the item's place in the
// dataset, given when it is first added and kept by edits. JSON is text on both engines.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('datasets')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('project_id', 'text', (column) => column.notNull().references('projects.id'))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('description', 'text')
    .addColumn('metadata', 'text', (column) => column.notNull())
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('item_count', 'integer', (column) => column.notNull())
    .addColumn('next_seq', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addUniqueConstraint('datasets_project_name_unique', ['project_id', 'name'])
    .execute();

  await db.schema
    .createTable('dataset_items')
    .addColumn('dataset_id', 'text', (column) => column.notNull().references('datasets.id'))
    .addColumn('item_id', 'text', (column) => column.notNull())
    .addColumn('valid_from', 'integer', (column) => column.notNull())
    .addColumn('valid_to', 'integer')
    .addColumn('project_id', 'text', (column) => column.notNull())
    .addColumn('seq', 'integer', (column) => column.notNull())
    .addColumn('input', 'text', (column) => column.notNull())
    .addColumn('expected_output', 'text', (column) => column.notNull())
    .addColumn('metadata', 'text', (column) => column.notNull())
    .addColumn('source_trace_id', 'text')
    .addColumn('source_span_id', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('dataset_items_pk', ['dataset_id', 'item_id', 'valid_from'])
    .execute();
  // Pages of a version walk the items by their place.
  await db.schema
    .createIndex('dataset_items_by_seq')
    .on('dataset_items')
    .columns(['dataset_id', 'seq', 'valid_from'])
    .execute();

  await db.schema
    .createTable('dataset_versions')
    .addColumn('dataset_id', 'text', (column) => column.notNull().references('datasets.id'))
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('created', 'integer', (column) => column.notNull())
    .addColumn('updated', 'integer', (column) => column.notNull())
    .addColumn('deleted', 'integer', (column) => column.notNull())
    .addColumn('item_count', 'integer', (column) => column.notNull())
    .addColumn('created_by_key_id', 'text', (column) => column.notNull())
    .addColumn('created_by_key_name', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('dataset_versions_pk', ['dataset_id', 'version'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('dataset_versions').execute();
  await db.schema.dropTable('dataset_items').execute();
  await db.schema.dropTable('datasets').execute();
}
