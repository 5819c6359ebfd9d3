import { FlywheelError } from '@flywheel/spec';
import type {
  DatasetItemRecord,
  DatasetRecord,
  DatasetVersionRecord,
  NewDatasetItem,
} from '../datasets/dataset.js';
import {
  type CurrentDatasetItem,
  changedItemIds,
  planDatasetChanges,
} from '../datasets/dataset-item-changes.js';
import type { DatasetStore } from '../ports/dataset-store.js';

/** One stored row of an item: live from `validFrom` until `validTo` (null: still live). */
interface MemoryItemRow extends NewDatasetItem {
  validFrom: number;
  validTo: number | null;
  seq: number;
  createdAt: string;
  updatedAt: string;
}

/** The datasets' data in memory. */
export interface MemoryDatasetState {
  /** `${projectId}\0${name}` → dataset and its next item position. */
  datasets: Map<string, { record: DatasetRecord; nextSeq: number }>;
  /** Dataset id → item rows, in insertion order. */
  rows: Map<string, MemoryItemRow[]>;
  /** Dataset id → versions, oldest first. */
  versions: Map<string, DatasetVersionRecord[]>;
}

export function emptyDatasetState(): MemoryDatasetState {
  return { datasets: new Map(), rows: new Map(), versions: new Map() };
}

export function cloneDatasetState(state: MemoryDatasetState): MemoryDatasetState {
  return {
    datasets: new Map(
      [...state.datasets].map(([key, entry]) => [
        key,
        { record: { ...entry.record }, nextSeq: entry.nextSeq },
      ]),
    ),
    rows: new Map([...state.rows].map(([id, rows]) => [id, rows.map((row) => ({ ...row }))])),
    versions: new Map([...state.versions].map(([id, versions]) => [id, [...versions]])),
  };
}

/** The in-memory {@link DatasetStore}; passes the same contract suite as the SQL stores. */
export function createMemoryDatasetStore(current: () => MemoryDatasetState): DatasetStore {
  const keyOf = (projectId: string, name: string) => `${projectId}\u0000${name}`;
  const copy = (record: DatasetRecord): DatasetRecord => structuredClone(record);
  const liveAt = (row: MemoryItemRow, version: number) =>
    row.validFrom <= version && (row.validTo === null || row.validTo > version);

  const owns = (projectId: string, datasetId: string) =>
    [...current().datasets.values()].some(
      (entry) => entry.record.id === datasetId && entry.record.projectId === projectId,
    );
  const rowsOf = (projectId: string, datasetId: string): MemoryItemRow[] =>
    owns(projectId, datasetId) ? (current().rows.get(datasetId) ?? []) : [];

  function toItem(row: MemoryItemRow): DatasetItemRecord {
    const { validFrom, validTo: _validTo, ...rest } = row;
    return structuredClone({ ...rest, version: validFrom });
  }

  return {
    async createDataset(input) {
      const key = keyOf(input.projectId, input.name);
      if (current().datasets.has(key)) {
        throw new FlywheelError(
          'conflict',
          `A dataset named '${input.name}' already exists in this project; pick another name or add items to it.`,
        );
      }
      const record: DatasetRecord = structuredClone({
        ...input,
        version: 0,
        itemCount: 0,
        updatedAt: input.createdAt,
      });
      current().datasets.set(key, { record, nextSeq: 1 });
      current().rows.set(record.id, []);
      current().versions.set(record.id, []);
      return copy(record);
    },
    async listDatasets(projectId, options) {
      return [...current().datasets.values()]
        .map((entry) => entry.record)
        .filter((record) => record.projectId === projectId)
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .slice(0, options.limit)
        .map(copy);
    },
    async getDataset(projectId, name) {
      const entry = current().datasets.get(keyOf(projectId, name));
      return entry && copy(entry.record);
    },
    async updateDataset(projectId, name, patch, at) {
      const entry = current().datasets.get(keyOf(projectId, name));
      if (!entry) return undefined;
      if (patch.description !== undefined) entry.record.description = patch.description;
      if (patch.metadata !== undefined) entry.record.metadata = structuredClone(patch.metadata);
      entry.record.updatedAt = at;
      return copy(entry.record);
    },
    async deleteDataset(projectId, name) {
      const key = keyOf(projectId, name);
      const entry = current().datasets.get(key);
      if (!entry) return false;
      current().datasets.delete(key);
      current().rows.delete(entry.record.id);
      current().versions.delete(entry.record.id);
      return true;
    },
    async writeItems(input) {
      const entry = current().datasets.get(keyOf(input.projectId, input.name));
      if (!entry) return undefined;
      const ids = new Set(changedItemIds(input.changes));
      const rows = current().rows.get(entry.record.id) ?? [];
      const live = new Map<string, CurrentDatasetItem>();
      for (const row of rows) {
        if (row.validTo === null && ids.has(row.id)) {
          live.set(row.id, { content: row, seq: row.seq, createdAt: row.createdAt });
        }
      }
      const plan = planDatasetChanges(input.changes, live);
      if (plan.close.length === 0 && plan.insert.length === 0) {
        return { dataset: copy(entry.record), outcomes: plan.outcomes };
      }
      const version = entry.record.version + 1;
      const closing = new Set(plan.close);
      for (const row of rows) if (row.validTo === null && closing.has(row.id)) row.validTo = version;
      for (const { item, carried } of plan.insert) {
        rows.push({
          ...structuredClone(item),
          validFrom: version,
          validTo: null,
          seq: carried?.seq ?? entry.nextSeq++,
          createdAt: carried?.createdAt ?? input.at,
          updatedAt: input.at,
        });
      }
      entry.record.version = version;
      entry.record.itemCount += plan.created - plan.deleted;
      entry.record.updatedAt = input.at;
      current()
        .versions.get(entry.record.id)
        ?.push({
          version,
          created: plan.created,
          updated: plan.updated,
          deleted: plan.deleted,
          itemCount: entry.record.itemCount,
          createdBy: { ...input.actor },
          createdAt: input.at,
        });
      return { dataset: copy(entry.record), outcomes: plan.outcomes };
    },
    async listItems(projectId, datasetId, query) {
      return rowsOf(projectId, datasetId)
        .filter((row) => liveAt(row, query.version) && row.seq > (query.afterSeq ?? 0))
        .sort((a, b) => a.seq - b.seq)
        .slice(0, query.limit)
        .map(toItem);
    },
    async getItem(projectId, datasetId, itemId, version) {
      const row = rowsOf(projectId, datasetId).find(
        (candidate) => candidate.id === itemId && liveAt(candidate, version),
      );
      return row && toItem(row);
    },
    async listVersions(projectId, datasetId) {
      if (!owns(projectId, datasetId)) return [];
      return [...(current().versions.get(datasetId) ?? [])]
        .reverse()
        .map((version) => structuredClone(version));
    },
  };
}
