import type { Kysely } from 'kysely';

// Never edit this file once it has landed: add a new numbered migration instead.
//
// The prompt registry. `prompts.latest_version` is the version counter: a save increments it
// in the same transaction that inserts the version, so the row lock (PostgreSQL) or the single
// writer (SQLite) hands out numbers without gaps or repeats. Templates, configs and variable
// lists are JSON text on both engines.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('prompts')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('project_id', 'text', (column) => column.notNull().references('projects.id'))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('latest_version', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addUniqueConstraint('prompts_project_name_unique', ['project_id', 'name'])
    .execute();

  await db.schema
    .createTable('prompt_versions')
    .addColumn('prompt_id', 'text', (column) => column.notNull().references('prompts.id'))
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('template', 'text', (column) => column.notNull())
    .addColumn('config', 'text', (column) => column.notNull())
    .addColumn('commit_message', 'text')
    .addColumn('variables', 'text', (column) => column.notNull())
    .addColumn('created_by_key_id', 'text', (column) => column.notNull())
    .addColumn('created_by_key_name', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('prompt_versions_pk', ['prompt_id', 'version'])
    .execute();

  await db.schema
    .createTable('prompt_labels')
    .addColumn('prompt_id', 'text', (column) => column.notNull().references('prompts.id'))
    .addColumn('label', 'text', (column) => column.notNull())
    .addColumn('version', 'integer', (column) => column.notNull())
    .addPrimaryKeyConstraint('prompt_labels_pk', ['prompt_id', 'label'])
    .execute();

  await db.schema
    .createTable('prompt_label_moves')
    .addColumn('prompt_id', 'text', (column) => column.notNull().references('prompts.id'))
    .addColumn('seq', 'integer', (column) => column.notNull())
    .addColumn('label', 'text', (column) => column.notNull())
    .addColumn('from_version', 'integer')
    .addColumn('to_version', 'integer')
    .addColumn('moved_by_key_id', 'text', (column) => column.notNull())
    .addColumn('moved_by_key_name', 'text', (column) => column.notNull())
    .addColumn('moved_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('prompt_label_moves_pk', ['prompt_id', 'seq'])
    .execute();

  await db.schema
    .createTable('prompt_settings')
    .addColumn('project_id', 'text', (column) => column.primaryKey().references('projects.id'))
    .addColumn('protected_labels', 'text', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('prompt_settings').execute();
  await db.schema.dropTable('prompt_label_moves').execute();
  await db.schema.dropTable('prompt_labels').execute();
  await db.schema.dropTable('prompt_versions').execute();
  await db.schema.dropTable('prompts').execute();
}
