import type { Kysely } from 'kysely';

// Never edit this file once it has landed: add a new numbered migration instead.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('provider_credentials')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('project_id', 'text', (column) => column.notNull().references('projects.id'))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('provider', 'text', (column) => column.notNull())
    .addColumn('base_url', 'text')
    .addColumn('api_key_sealed', 'text', (column) => column.notNull())
    .addColumn('api_key_display', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addUniqueConstraint('provider_credentials_project_name_unique', ['project_id', 'name'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('provider_credentials').execute();
}
