import type { Kysely } from 'kysely';

// Never edit this file once it has landed: add a new numbered migration instead.
//
// Evaluation runs. Results are keyed by (experiment, case, prompt, model, repeat), so a batch
// the runner re-sends after a lost answer replaces rather than duplicates; `seq` keeps the order
// they were first stored in, for paging.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('experiments')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('project_id', 'text', (column) => column.notNull().references('projects.id'))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('description', 'text')
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('targets', 'text', (column) => column.notNull())
    .addColumn('datasets', 'text', (column) => column.notNull())
    .addColumn('metadata', 'text', (column) => column.notNull())
    .addColumn('summary', 'text')
    .addColumn('next_seq', 'integer', (column) => column.notNull())
    .addColumn('created_by_key_id', 'text', (column) => column.notNull())
    .addColumn('created_by_key_name', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema
    .createIndex('experiments_project_created_idx')
    .on('experiments')
    .columns(['project_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('experiment_results')
    .addColumn('experiment_id', 'text', (column) => column.notNull().references('experiments.id'))
    .addColumn('case_key', 'text', (column) => column.notNull())
    .addColumn('prompt_id', 'text', (column) => column.notNull())
    .addColumn('provider_id', 'text', (column) => column.notNull())
    .addColumn('repeat', 'integer', (column) => column.notNull())
    .addColumn('seq', 'integer', (column) => column.notNull())
    .addColumn('case_index', 'integer', (column) => column.notNull())
    .addColumn('vars', 'text', (column) => column.notNull())
    .addColumn('output', 'text')
    .addColumn('error', 'text')
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('score', 'double precision', (column) => column.notNull())
    .addColumn('assertions', 'text', (column) => column.notNull())
    .addColumn('input_tokens', 'integer')
    .addColumn('output_tokens', 'integer')
    .addColumn('cost', 'double precision')
    .addColumn('latency_ms', 'double precision')
    .addColumn('trace_id', 'text')
    .addColumn('cached', 'integer', (column) => column.notNull())
    .addPrimaryKeyConstraint('experiment_results_pk', [
      'experiment_id',
      'case_key',
      'prompt_id',
      'provider_id',
      'repeat',
    ])
    .execute();
  await db.schema
    .createIndex('experiment_results_seq_idx')
    .on('experiment_results')
    .columns(['experiment_id', 'seq'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('experiment_results').execute();
  await db.schema.dropTable('experiments').execute();
}
