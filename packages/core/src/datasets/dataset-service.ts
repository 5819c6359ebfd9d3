import {
  type CreateDatasetRequest,
  type DatasetItemInput,
  FlywheelError,
  type PutDatasetItemRequest,
  type UpdateDatasetRequest,
} from '@flywheel/spec';
import { newId } from '../ids/new-id.js';
import type { Stores } from '../ports/stores.js';
import type { TraceQuery } from '../ports/trace-store.js';
import type { TraceRecord } from '../tracing/span.js';
import type {
  DatasetActor,
  DatasetItemChange,
  DatasetItemRecord,
  DatasetRecord,
  DatasetSnapshotRef,
  DatasetVersionRecord,
  DatasetWriteResult,
  NewDatasetItem,
} from './dataset.js';
import { datasetNotFound, datasetVersionNotFound, itemNotFound } from './dataset-errors.js';
import { itemFromTrace, type TraceItemOptions, traceItemNeedsSpans } from './dataset-from-traces.js';
import { changedItemIds } from './dataset-item-changes.js';

/** Which traces `fromTraces` reads: ids, or a filter of the trace list (newest first). */
export type TraceSelection = { traceIds: string[] } | { filter: TraceQuery };

/** What `fromTraces` did with one trace. */
export interface TraceItemOutcome {
  traceId: string;
  /** The item's id, or null when the trace made none. */
  itemId: string | null;
  status: 'created' | 'exists' | 'trace_not_found' | 'no_input';
  message?: string;
}

/** One page of items at a version. */
export interface DatasetItemPage {
  dataset: DatasetRecord;
  version: number;
  items: DatasetItemRecord[];
}

/** Datasets' rules over a {@link DatasetStore}: defaults, ids, versions, not-found errors. */
export interface DatasetService {
  create(projectId: string, request: CreateDatasetRequest): Promise<DatasetRecord>;
  list(projectId: string, options: { limit: number }): Promise<DatasetRecord[]>;
  /** Throws `dataset_not_found`. */
  get(projectId: string, name: string): Promise<DatasetRecord>;
  /** Replaces description and/or metadata; items and version stay. */
  update(projectId: string, name: string, request: UpdateDatasetRequest): Promise<DatasetRecord>;
  /** Deletes the dataset and all its items and versions. */
  delete(projectId: string, name: string): Promise<void>;
  /** Adds or replaces items, all as one new version (ids are made for items without one). */
  addItems(
    projectId: string,
    name: string,
    items: DatasetItemInput[],
    actor: DatasetActor,
  ): Promise<DatasetWriteResult>;
  /** Creates or replaces one item; answers the write and the item as stored. */
  putItem(
    projectId: string,
    name: string,
    itemId: string,
    content: PutDatasetItemRequest,
    actor: DatasetActor,
  ): Promise<{ result: DatasetWriteResult; item: DatasetItemRecord }>;
  /** Deletes an item (a new version); throws `dataset_item_not_found` when it is not there. */
  deleteItem(
    projectId: string,
    name: string,
    itemId: string,
    actor: DatasetActor,
  ): Promise<DatasetWriteResult>;
  /** One item at `version` (default: current). */
  getItem(projectId: string, name: string, itemId: string, version?: number): Promise<DatasetItemRecord>;
  /** A page of the items at `version` (default: current), in the order they were added. */
  listItems(
    projectId: string,
    name: string,
    options: { version?: number; limit: number; afterSeq?: number },
  ): Promise<DatasetItemPage>;
  /** Every version, newest first. */
  versions(projectId: string, name: string): Promise<DatasetVersionRecord[]>;
  /** Adds one item per trace (id = trace id; existing items are left alone), as one version. */
  fromTraces(
    projectId: string,
    name: string,
    selection: TraceSelection,
    options: TraceItemOptions,
    actor: DatasetActor,
  ): Promise<{ dataset: DatasetRecord; outcomes: TraceItemOutcome[] }>;
  /**
   * Every item at `version` (default: current) and the reference an experiment stores to read
   * the same items again later with {@link DatasetService.readSnapshot}.
   */
  snapshot(
    projectId: string,
    name: string,
    version?: number,
  ): Promise<{ ref: DatasetSnapshotRef; items: DatasetItemRecord[] }>;
  /** The items a snapshot reference names; `dataset_not_found` when that dataset was deleted since. */
  readSnapshot(projectId: string, ref: DatasetSnapshotRef): Promise<DatasetItemRecord[]>;
}

/** What {@link createDatasetService} needs. */
export interface DatasetServiceDeps {
  stores: Stores;
  /** The clock (tests pass their own). */
  now?: () => Date;
}

const snapshotPage = 1000;

/**
 * The datasets service.
 *
 * @example
 * const datasets = createDatasetService({ stores });
 * await datasets.create(projectId, { name: 'support/golden' });
 * await datasets.addItems(projectId, 'support/golden', [{ input: { ticket: 'Refund?' }, expected_output: 'billing' }], actor);
 */
export function createDatasetService(deps: DatasetServiceDeps): DatasetService {
  const { stores } = deps;
  const now = () => (deps.now ?? (() => new Date()))().toISOString();

  async function get(projectId: string, name: string): Promise<DatasetRecord> {
    const dataset = await stores.datasets.getDataset(projectId, name);
    if (!dataset) throw datasetNotFound(name);
    return dataset;
  }

  function versionOf(dataset: DatasetRecord, version: number | undefined): number {
    if (version === undefined) return dataset.version;
    if (version > dataset.version) throw datasetVersionNotFound(dataset, version);
    return version;
  }

  async function write(projectId: string, name: string, changes: DatasetItemChange[], actor: DatasetActor) {
    changedItemIds(changes);
    const result = await stores.transaction((tx) =>
      tx.datasets.writeItems({ projectId, name, changes, actor: { ...actor }, at: now() }),
    );
    if (!result) throw datasetNotFound(name);
    return result;
  }

  async function readAll(projectId: string, dataset: DatasetRecord, version: number) {
    const items: DatasetItemRecord[] = [];
    for (;;) {
      const page = await stores.datasets.listItems(projectId, dataset.id, {
        version,
        limit: snapshotPage,
        ...(items.length > 0 ? { afterSeq: items[items.length - 1]!.seq } : {}),
      });
      items.push(...page);
      if (page.length < snapshotPage) return items;
    }
  }

  return {
    async create(projectId, request) {
      return stores.transaction((tx) =>
        tx.datasets.createDataset({
          id: newId('ds'),
          projectId,
          name: request.name,
          description: request.description ?? null,
          metadata: request.metadata ?? {},
          createdAt: now(),
        }),
      );
    },
    list: (projectId, options) => stores.datasets.listDatasets(projectId, options),
    get,
    async update(projectId, name, request) {
      const updated = await stores.transaction((tx) =>
        tx.datasets.updateDataset(
          projectId,
          name,
          {
            ...(request.description !== undefined ? { description: request.description } : {}),
            ...(request.metadata !== undefined ? { metadata: request.metadata } : {}),
          },
          now(),
        ),
      );
      if (!updated) throw datasetNotFound(name);
      return updated;
    },
    async delete(projectId, name) {
      if (!(await stores.transaction((tx) => tx.datasets.deleteDataset(projectId, name))))
        throw datasetNotFound(name);
    },
    addItems(projectId, name, items, actor) {
      const changes = items.map(
        (item): DatasetItemChange => ({ kind: 'put', item: toNewItem(item.id ?? newId('item'), item) }),
      );
      return write(projectId, name, changes, actor);
    },
    async putItem(projectId, name, itemId, content, actor) {
      const result = await write(projectId, name, [{ kind: 'put', item: toNewItem(itemId, content) }], actor);
      const item = await stores.datasets.getItem(
        projectId,
        result.dataset.id,
        itemId,
        result.dataset.version,
      );
      // Only a concurrent delete of the dataset gets here.
      if (!item) throw itemNotFound(name, itemId, result.dataset.version);
      return { result, item };
    },
    async deleteItem(projectId, name, itemId, actor) {
      const result = await write(projectId, name, [{ kind: 'delete', id: itemId }], actor);
      if (result.outcomes[0]?.status === 'missing') throw itemNotFound(name, itemId, null);
      return result;
    },
    async getItem(projectId, name, itemId, version) {
      const dataset = await get(projectId, name);
      const at = versionOf(dataset, version);
      const item = await stores.datasets.getItem(projectId, dataset.id, itemId, at);
      if (!item) throw itemNotFound(name, itemId, version === undefined ? null : at);
      return item;
    },
    async listItems(projectId, name, options) {
      const dataset = await get(projectId, name);
      const version = versionOf(dataset, options.version);
      const items = await stores.datasets.listItems(projectId, dataset.id, {
        version,
        limit: options.limit,
        ...(options.afterSeq !== undefined ? { afterSeq: options.afterSeq } : {}),
      });
      return { dataset, version, items };
    },
    async versions(projectId, name) {
      const dataset = await get(projectId, name);
      return stores.datasets.listVersions(projectId, dataset.id);
    },
    async fromTraces(projectId, name, selection, options, actor) {
      await get(projectId, name);
      const outcomes: TraceItemOutcome[] = [];
      const found: TraceRecord[] = [];
      if ('traceIds' in selection) {
        for (const traceId of new Set(selection.traceIds)) {
          const trace = await stores.traces.getTrace(projectId, traceId);
          if (trace) found.push(trace);
          else
            outcomes.push({
              traceId,
              itemId: null,
              status: 'trace_not_found',
              message: `No trace with id '${traceId}' in this project.`,
            });
        }
      } else {
        found.push(...(await stores.traces.listTraces(projectId, selection.filter)));
      }
      const changes: DatasetItemChange[] = [];
      for (const trace of found) {
        const spans = traceItemNeedsSpans(trace, options)
          ? await stores.traces.listSpans(projectId, trace.id)
          : [];
        const made = itemFromTrace(trace, spans, options);
        if (made.ok) changes.push({ kind: 'put', item: made.item, onlyIfAbsent: true });
        else
          outcomes.push({
            traceId: trace.id,
            itemId: null,
            status: 'no_input',
            message: `Trace '${trace.id}' makes no item: ${made.message}.`,
          });
      }
      const result =
        changes.length > 0
          ? await write(projectId, name, changes, actor)
          : { dataset: await get(projectId, name), outcomes: [] };
      for (const outcome of result.outcomes) {
        outcomes.push({
          traceId: outcome.id,
          itemId: outcome.id,
          status: outcome.status === 'created' ? 'created' : 'exists',
        });
      }
      // Request order for ids; newest first for a filter.
      const order = new Map(
        ('traceIds' in selection ? [...new Set(selection.traceIds)] : found.map((trace) => trace.id)).map(
          (id, index) => [id, index],
        ),
      );
      outcomes.sort((a, b) => order.get(a.traceId)! - order.get(b.traceId)!);
      return { dataset: result.dataset, outcomes };
    },
    async snapshot(projectId, name, version) {
      const dataset = await get(projectId, name);
      const at = versionOf(dataset, version);
      return {
        ref: { datasetId: dataset.id, name: dataset.name, version: at },
        items: await readAll(projectId, dataset, at),
      };
    },
    async readSnapshot(projectId, ref) {
      const dataset = await stores.datasets.getDataset(projectId, ref.name);
      if (!dataset || dataset.id !== ref.datasetId) {
        throw new FlywheelError(
          'dataset_not_found',
          `The dataset '${ref.name}' this experiment ran on (id ${ref.datasetId}) no longer exists.`,
        );
      }
      return readAll(projectId, dataset, versionOf(dataset, ref.version));
    },
  };
}

function toNewItem(id: string, content: PutDatasetItemRequest): NewDatasetItem {
  return {
    id,
    input: content.input,
    expectedOutput: content.expected_output ?? null,
    metadata: content.metadata ?? {},
    sourceTraceId: content.source_trace_id ?? null,
    sourceSpanId: content.source_span_id ?? null,
  };
}
