import type { ExperimentRecord, ExperimentResultRecord, ExperimentStore } from '@flywheel/core';
import type { Selectable } from 'kysely';
import type { ExperimentResultsTable, ExperimentsTable } from '../schema/database-schema.js';
import { experimentNotFound, experimentNotRunning, experimentResultRow } from './experiment-rows.js';
import type { StorageContext } from './storage-context.js';

/** Rows per insert statement: well under SQLite's bound-parameter limit. */
const insertChunk = 500;

/**
 * The Kysely experiment store. Appends first bump the experiment's `next_seq` (taking its row
 * lock on PostgreSQL), so concurrent batches get disjoint sequence numbers.
 */
export function createExperimentStore({ db, run }: StorageContext): ExperimentStore {
  async function counts(ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await run(() =>
      db
        .selectFrom('experiment_results')
        .select(['experiment_id', (eb) => eb.fn.countAll<string | number>().as('count')])
        .where('experiment_id', 'in', ids)
        .groupBy('experiment_id')
        .execute(),
    );
    return new Map(rows.map((row) => [row.experiment_id, Number(row.count)]));
  }

  return {
    async create(experiment) {
      await run(() =>
        db
          .insertInto('experiments')
          .values({
            id: experiment.id,
            project_id: experiment.projectId,
            name: experiment.name,
            description: experiment.description,
            status: experiment.status,
            targets: JSON.stringify(experiment.targets),
            datasets: JSON.stringify(experiment.datasets),
            metadata: JSON.stringify(experiment.metadata),
            summary: experiment.summary === null ? null : JSON.stringify(experiment.summary),
            next_seq: 1,
            created_by_key_id: experiment.createdBy.keyId,
            created_by_key_name: experiment.createdBy.keyName,
            created_at: experiment.createdAt,
            finished_at: experiment.finishedAt,
          })
          .execute(),
      );
    },

    async get(projectId, id) {
      const row = await run(() =>
        db
          .selectFrom('experiments')
          .selectAll()
          .where('project_id', '=', projectId)
          .where('id', '=', id)
          .executeTakeFirst(),
      );
      if (!row) return undefined;
      return toExperiment(row, (await counts([row.id])).get(row.id) ?? 0);
    },

    async list(projectId, options) {
      let query = db.selectFrom('experiments').selectAll().where('project_id', '=', projectId);
      if (options.name !== undefined) query = query.where('name', '=', options.name);
      if (options.status !== undefined) query = query.where('status', '=', options.status);
      const rows = await run(() =>
        query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute(),
      );
      const counted = await counts(rows.map((row) => row.id));
      return rows.map((row) => toExperiment(row, counted.get(row.id) ?? 0));
    },

    async appendResults(projectId, id, results) {
      const bumped = await run(() =>
        db
          .updateTable('experiments')
          .set((eb) => ({ next_seq: eb('next_seq', '+', results.length) }))
          .where('project_id', '=', projectId)
          .where('id', '=', id)
          .returning(['next_seq', 'status'])
          .executeTakeFirst(),
      );
      if (!bumped) throw experimentNotFound(id);
      if (bumped.status !== 'running') throw experimentNotRunning(id, bumped.status);
      let seq = Number(bumped.next_seq) - results.length;
      for (let start = 0; start < results.length; start += insertChunk) {
        const rows = results
          .slice(start, start + insertChunk)
          .map((result) => experimentResultRow(id, seq++, result));
        await run(() =>
          db
            .insertInto('experiment_results')
            .values(rows)
            .onConflict((conflict) =>
              conflict
                .columns(['experiment_id', 'case_key', 'prompt_id', 'provider_id', 'repeat'])
                .doUpdateSet((eb) => ({
                  case_index: eb.ref('excluded.case_index'),
                  vars: eb.ref('excluded.vars'),
                  output: eb.ref('excluded.output'),
                  error: eb.ref('excluded.error'),
                  status: eb.ref('excluded.status'),
                  score: eb.ref('excluded.score'),
                  assertions: eb.ref('excluded.assertions'),
                  input_tokens: eb.ref('excluded.input_tokens'),
                  output_tokens: eb.ref('excluded.output_tokens'),
                  cost: eb.ref('excluded.cost'),
                  latency_ms: eb.ref('excluded.latency_ms'),
                  trace_id: eb.ref('excluded.trace_id'),
                  cached: eb.ref('excluded.cached'),
                })),
            )
            .execute(),
        );
      }
      return results.length;
    },

    async finish(projectId, id, status, summary, at) {
      const updated = await run(() =>
        db
          .updateTable('experiments')
          .set({ status, summary: summary === null ? null : JSON.stringify(summary), finished_at: at })
          .where('project_id', '=', projectId)
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst(),
      );
      if (!updated) return undefined;
      return toExperiment(updated, (await counts([id])).get(id) ?? 0);
    },

    async listResults(projectId, id, options) {
      const rows = await run(() =>
        db
          .selectFrom('experiment_results')
          .innerJoin('experiments', 'experiments.id', 'experiment_results.experiment_id')
          .selectAll('experiment_results')
          .where('experiments.project_id', '=', projectId)
          .where('experiment_results.experiment_id', '=', id)
          .where('experiment_results.seq', '>', options.after ?? 0)
          .orderBy('experiment_results.seq')
          .limit(options.limit)
          .execute(),
      );
      return rows.map(toResult);
    },
  };
}

function toExperiment(row: Selectable<ExperimentsTable>, resultCount: number): ExperimentRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    description: row.description,
    status: row.status as ExperimentRecord['status'],
    targets: JSON.parse(row.targets),
    datasets: JSON.parse(row.datasets),
    metadata: JSON.parse(row.metadata),
    summary: row.summary === null ? null : JSON.parse(row.summary),
    resultCount,
    createdBy: { keyId: row.created_by_key_id, keyName: row.created_by_key_name },
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

function toResult(row: Selectable<ExperimentResultsTable>): ExperimentResultRecord & { seq: number } {
  return {
    seq: Number(row.seq),
    caseKey: row.case_key,
    caseIndex: Number(row.case_index),
    repeat: Number(row.repeat),
    promptId: row.prompt_id,
    providerId: row.provider_id,
    vars: JSON.parse(row.vars),
    output: row.output,
    error: row.error === null ? null : JSON.parse(row.error),
    status: row.status as ExperimentResultRecord['status'],
    score: Number(row.score),
    assertions: JSON.parse(row.assertions),
    inputTokens: row.input_tokens === null ? null : Number(row.input_tokens),
    outputTokens: row.output_tokens === null ? null : Number(row.output_tokens),
    cost: row.cost === null ? null : Number(row.cost),
    latencyMs: row.latency_ms === null ? null : Number(row.latency_ms),
    traceId: row.trace_id,
    cached: Number(row.cached) === 1,
  };
}
