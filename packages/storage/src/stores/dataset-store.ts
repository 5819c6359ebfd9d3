import {
  type CurrentDatasetItem,
  changedItemIds,
  type DatasetItemRecord,
  type DatasetRecord,
  type DatasetStore,
  planDatasetChanges,
} from '@flywheel/core';
import { FlywheelError } from '@flywheel/spec';
import type { Selectable } from 'kysely';
import type { DatasetItemsTable, DatasetsTable } from '../schema/database-schema.js';
import type { StorageContext } from './storage-context.js';

// Parameters per statement stay far below SQLite's (32,766) and PostgreSQL's (65,535) limits.
const idsPerStatement = 500;
const rowsPerInsert = 200;

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, (index + 1) * size),
  );

/**
 * The Kysely dataset store. A write of items first updates the dataset's row, so on PostgreSQL
 * the row lock orders concurrent writes to one dataset (SQLite has a single writer), and the
 * version counter, the item rows and the version record commit together.
 */
export function createDatasetStore({ db, run }: StorageContext): DatasetStore {
  const findDataset = (projectId: string, name: string) =>
    run(() =>
      db
        .selectFrom('datasets')
        .selectAll()
        .where('project_id', '=', projectId)
        .where('name', '=', name)
        .executeTakeFirst(),
    );

  return {
    async createDataset(input) {
      const row = await run(() =>
        db
          .insertInto('datasets')
          .values({
            id: input.id,
            project_id: input.projectId,
            name: input.name,
            description: input.description,
            metadata: JSON.stringify(input.metadata),
            version: 0,
            item_count: 0,
            next_seq: 1,
            created_at: input.createdAt,
            updated_at: input.createdAt,
          })
          .onConflict((conflict) => conflict.columns(['project_id', 'name']).doNothing())
          .returningAll()
          .executeTakeFirst(),
      );
      if (!row) {
        throw new FlywheelError(
          'conflict',
          `A dataset named '${input.name}' already exists in this project; pick another name or add items to it.`,
        );
      }
      return toDataset(row);
    },

    async listDatasets(projectId, options) {
      const rows = await run(() =>
        db
          .selectFrom('datasets')
          .selectAll()
          .where('project_id', '=', projectId)
          .orderBy('name')
          .limit(options.limit)
          .execute(),
      );
      return rows.map(toDataset);
    },

    async getDataset(projectId, name) {
      const row = await findDataset(projectId, name);
      return row && toDataset(row);
    },

    async updateDataset(projectId, name, patch, at) {
      const row = await run(() =>
        db
          .updateTable('datasets')
          .set({
            updated_at: at,
            ...(patch.description !== undefined ? { description: patch.description } : {}),
            ...(patch.metadata !== undefined ? { metadata: JSON.stringify(patch.metadata) } : {}),
          })
          .where('project_id', '=', projectId)
          .where('name', '=', name)
          .returningAll()
          .executeTakeFirst(),
      );
      return row && toDataset(row);
    },

    async deleteDataset(projectId, name) {
      // Locks the row first, like a write of items: a delete waits for a write in flight
      // instead of racing its inserts (and on SQLite it starts the transaction as a writer).
      const row = await run(() =>
        db
          .updateTable('datasets')
          .set((eb) => ({ version: eb.ref('version') }))
          .where('project_id', '=', projectId)
          .where('name', '=', name)
          .returning('id')
          .executeTakeFirst(),
      );
      if (!row) return false;
      await run(() => db.deleteFrom('dataset_items').where('dataset_id', '=', row.id).execute());
      await run(() => db.deleteFrom('dataset_versions').where('dataset_id', '=', row.id).execute());
      await run(() =>
        db.deleteFrom('datasets').where('id', '=', row.id).where('project_id', '=', projectId).execute(),
      );
      return true;
    },

    async writeItems(input) {
      // A no-op update takes the row lock: concurrent writes of this dataset wait here, and
      // every read below sees what the previous writer committed.
      const dataset = await run(() =>
        db
          .updateTable('datasets')
          .set((eb) => ({ version: eb.ref('version') }))
          .where('project_id', '=', input.projectId)
          .where('name', '=', input.name)
          .returningAll()
          .executeTakeFirst(),
      );
      if (!dataset) return undefined;
      const live = new Map<string, CurrentDatasetItem>();
      for (const ids of chunks(changedItemIds(input.changes), idsPerStatement)) {
        const rows = await run(() =>
          db
            .selectFrom('dataset_items')
            .selectAll()
            .where('dataset_id', '=', dataset.id)
            .where('valid_to', 'is', null)
            .where('item_id', 'in', ids)
            .execute(),
        );
        for (const row of rows) {
          const item = toItem(row);
          live.set(item.id, { content: item, seq: item.seq, createdAt: item.createdAt });
        }
      }
      const plan = planDatasetChanges(input.changes, live);
      if (plan.close.length === 0 && plan.insert.length === 0) {
        return { dataset: toDataset(dataset), outcomes: plan.outcomes };
      }
      const version = Number(dataset.version) + 1;
      for (const ids of chunks(plan.close, idsPerStatement)) {
        await run(() =>
          db
            .updateTable('dataset_items')
            .set({ valid_to: version })
            .where('dataset_id', '=', dataset.id)
            .where('valid_to', 'is', null)
            .where('item_id', 'in', ids)
            .execute(),
        );
      }
      let nextSeq = Number(dataset.next_seq);
      const rows = plan.insert.map(({ item, carried }) => ({
        dataset_id: dataset.id,
        item_id: item.id,
        valid_from: version,
        valid_to: null,
        project_id: input.projectId,
        seq: carried?.seq ?? nextSeq++,
        input: JSON.stringify(item.input),
        expected_output: JSON.stringify(item.expectedOutput ?? null),
        metadata: JSON.stringify(item.metadata),
        source_trace_id: item.sourceTraceId,
        source_span_id: item.sourceSpanId,
        created_at: carried?.createdAt ?? input.at,
        updated_at: input.at,
      }));
      for (const part of chunks(rows, rowsPerInsert)) {
        await run(() => db.insertInto('dataset_items').values(part).execute());
      }
      const itemCount = Number(dataset.item_count) + plan.created - plan.deleted;
      const updated = await run(() =>
        db
          .updateTable('datasets')
          .set({ version, item_count: itemCount, next_seq: nextSeq, updated_at: input.at })
          .where('id', '=', dataset.id)
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      await run(() =>
        db
          .insertInto('dataset_versions')
          .values({
            dataset_id: dataset.id,
            version,
            created: plan.created,
            updated: plan.updated,
            deleted: plan.deleted,
            item_count: itemCount,
            created_by_key_id: input.actor.keyId,
            created_by_key_name: input.actor.keyName,
            created_at: input.at,
          })
          .execute(),
      );
      return { dataset: toDataset(updated), outcomes: plan.outcomes };
    },

    async listItems(projectId, datasetId, query) {
      const rows = await run(() =>
        db
          .selectFrom('dataset_items')
          .selectAll()
          .where('project_id', '=', projectId)
          .where('dataset_id', '=', datasetId)
          .where('seq', '>', query.afterSeq ?? 0)
          .where('valid_from', '<=', query.version)
          .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', query.version)]))
          .orderBy('seq')
          .limit(query.limit)
          .execute(),
      );
      return rows.map(toItem);
    },

    async getItem(projectId, datasetId, itemId, version) {
      const row = await run(() =>
        db
          .selectFrom('dataset_items')
          .selectAll()
          .where('project_id', '=', projectId)
          .where('dataset_id', '=', datasetId)
          .where('item_id', '=', itemId)
          .where('valid_from', '<=', version)
          .where((eb) => eb.or([eb('valid_to', 'is', null), eb('valid_to', '>', version)]))
          .executeTakeFirst(),
      );
      return row && toItem(row);
    },

    async listVersions(projectId, datasetId) {
      const rows = await run(() =>
        db
          .selectFrom('dataset_versions')
          .innerJoin('datasets', 'datasets.id', 'dataset_versions.dataset_id')
          .selectAll('dataset_versions')
          .where('datasets.project_id', '=', projectId)
          .where('dataset_versions.dataset_id', '=', datasetId)
          .orderBy('dataset_versions.version', 'desc')
          .execute(),
      );
      return rows.map((row) => ({
        version: Number(row.version),
        created: Number(row.created),
        updated: Number(row.updated),
        deleted: Number(row.deleted),
        itemCount: Number(row.item_count),
        createdBy: { keyId: row.created_by_key_id, keyName: row.created_by_key_name },
        createdAt: row.created_at,
      }));
    },
  };
}

function toDataset(row: Selectable<DatasetsTable>): DatasetRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    name: row.name,
    description: row.description,
    metadata: JSON.parse(row.metadata),
    version: Number(row.version),
    itemCount: Number(row.item_count),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toItem(row: Selectable<DatasetItemsTable>): DatasetItemRecord {
  return {
    id: row.item_id,
    input: JSON.parse(row.input),
    expectedOutput: JSON.parse(row.expected_output),
    metadata: JSON.parse(row.metadata),
    sourceTraceId: row.source_trace_id,
    sourceSpanId: row.source_span_id,
    version: Number(row.valid_from),
    seq: Number(row.seq),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
