import { FlywheelError } from '@flywheel/spec';
import { stableStringify } from '../gateway/response-cache.js';
import type { DatasetItemChange, DatasetItemContent, DatasetItemOutcome, NewDatasetItem } from './dataset.js';

/** The live row of an item, as a write finds it. */
export interface CurrentDatasetItem {
  content: DatasetItemContent;
  seq: number;
  createdAt: string;
}

/** A row a write inserts; `carried` keeps an edited item's place and first-added time. */
export interface PlannedDatasetRow {
  item: NewDatasetItem;
  carried?: { seq: number; createdAt: string };
}

/** What a write does, decided from its changes and the items' live rows. */
export interface DatasetChangePlan {
  outcomes: DatasetItemOutcome[];
  /** Ids whose live row ends at the new version (edits and deletes). */
  close: string[];
  /** Rows that start at the new version (new items and edits), in request order. */
  insert: PlannedDatasetRow[];
  created: number;
  updated: number;
  deleted: number;
}

/**
 * Decides every change of a write against the items' live rows. Shared by every store, so they
 * agree on what is an edit: content is compared as JSON with object keys in any order.
 */
export function planDatasetChanges(
  changes: readonly DatasetItemChange[],
  current: ReadonlyMap<string, CurrentDatasetItem>,
): DatasetChangePlan {
  const plan: DatasetChangePlan = { outcomes: [], close: [], insert: [], created: 0, updated: 0, deleted: 0 };
  for (const change of changes) {
    if (change.kind === 'delete') {
      if (current.has(change.id)) {
        plan.close.push(change.id);
        plan.deleted += 1;
        plan.outcomes.push({ id: change.id, status: 'deleted' });
      } else {
        plan.outcomes.push({ id: change.id, status: 'missing' });
      }
      continue;
    }
    const { item } = change;
    const live = current.get(item.id);
    if (!live) {
      plan.insert.push({ item });
      plan.created += 1;
      plan.outcomes.push({ id: item.id, status: 'created' });
    } else if (change.onlyIfAbsent) {
      plan.outcomes.push({ id: item.id, status: 'exists' });
    } else if (sameDatasetItemContent(live.content, item)) {
      plan.outcomes.push({ id: item.id, status: 'unchanged' });
    } else {
      plan.close.push(item.id);
      plan.insert.push({ item, carried: { seq: live.seq, createdAt: live.createdAt } });
      plan.updated += 1;
      plan.outcomes.push({ id: item.id, status: 'updated' });
    }
  }
  return plan;
}

/** Whether two contents are the same JSON (object keys in any order). */
export function sameDatasetItemContent(a: DatasetItemContent, b: DatasetItemContent): boolean {
  return (
    stableStringify(a.input) === stableStringify(b.input) &&
    stableStringify(a.expectedOutput ?? null) === stableStringify(b.expectedOutput ?? null) &&
    stableStringify(a.metadata) === stableStringify(b.metadata) &&
    a.sourceTraceId === b.sourceTraceId &&
    a.sourceSpanId === b.sourceSpanId
  );
}

/** The item ids of a write's changes; throws when one appears twice (one change per item per version). */
export function changedItemIds(changes: readonly DatasetItemChange[]): string[] {
  const seen = new Map<string, number>();
  changes.forEach((change, index) => {
    const id = change.kind === 'put' ? change.item.id : change.id;
    const first = seen.get(id);
    if (first !== undefined) {
      throw new FlywheelError(
        'validation_failed',
        `Invalid request body: items ${first} and ${index} both have the id '${id}'; send each item once per request.`,
      );
    }
    seen.set(id, index);
  });
  return [...seen.keys()];
}
