import { describe, expect, it } from 'vitest';
import type { NewDatasetItem } from './dataset.js';
import { type CurrentDatasetItem, changedItemIds, planDatasetChanges } from './dataset-item-changes.js';

const item = (
  id: string,
  input: Record<string, unknown>,
  expectedOutput: unknown = null,
): NewDatasetItem => ({
  id,
  input,
  expectedOutput,
  metadata: {},
  sourceTraceId: null,
  sourceSpanId: null,
});

const live = (entries: NewDatasetItem[]): Map<string, CurrentDatasetItem> =>
  new Map(entries.map((entry, index) => [entry.id, { content: entry, seq: index + 1, createdAt: 't0' }]));

describe('planDatasetChanges', () => {
  it('creates new ids, edits changed content, leaves equal content, deletes and reports missing', () => {
    const current = live([item('a', { x: 1, y: { p: 1, q: 2 } }), item('b', { x: 2 }), item('c', { x: 3 })]);
    const plan = planDatasetChanges(
      [
        { kind: 'put', item: item('a', { y: { q: 2, p: 1 }, x: 1 }) },
        { kind: 'put', item: item('b', { x: 2 }, 'expected now') },
        { kind: 'put', item: item('new', { x: 4 }) },
        { kind: 'delete', id: 'c' },
        { kind: 'delete', id: 'gone' },
        { kind: 'put', item: item('c2', {}), onlyIfAbsent: true },
      ],
      current,
    );
    expect(plan.outcomes.map((outcome) => outcome.status)).toEqual([
      'unchanged',
      'updated',
      'created',
      'deleted',
      'missing',
      'created',
    ]);
    expect(plan.close).toEqual(['b', 'c']);
    expect(plan.insert.map((row) => [row.item.id, row.carried?.seq])).toEqual([
      ['b', 2],
      ['new', undefined],
      ['c2', undefined],
    ]);
    expect([plan.created, plan.updated, plan.deleted]).toEqual([2, 1, 1]);
  });

  it('leaves an existing item alone when asked to add it only if absent', () => {
    const plan = planDatasetChanges(
      [{ kind: 'put', item: item('a', { other: true }), onlyIfAbsent: true }],
      live([item('a', { x: 1 })]),
    );
    expect(plan.outcomes).toEqual([{ id: 'a', status: 'exists' }]);
    expect(plan.insert).toEqual([]);
  });

  it('refuses an id given twice', () => {
    expect(() =>
      changedItemIds([
        { kind: 'put', item: item('a', {}) },
        { kind: 'delete', id: 'a' },
      ]),
    ).toThrow("items 0 and 1 both have the id 'a'");
  });
});
