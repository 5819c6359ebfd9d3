import type { DiffLineBody } from '@flywheel/spec';

/** One side of a row of a side-by-side diff. */
export interface DiffCell {
  line: number;
  text: string;
}

/** One row of a side-by-side diff: the same line on both sides, or a changed pair (either side may be empty). */
export interface SideBySideRow {
  kind: 'equal' | 'change';
  /** The older version's line; null where the newer version added lines. */
  left: DiffCell | null;
  /** The newer version's line; null where the older version's lines were removed. */
  right: DiffCell | null;
}

/**
 * Lays the API's line diff out side by side: equal lines face each other, and within each changed
 * region the removed lines face the added ones in order, the longer side running on against
 * empty cells.
 *
 * @example
 * sideBySideRows([
 *   { op: 'remove', text: 'a', from_line: 1, to_line: null },
 *   { op: 'add', text: 'b', from_line: null, to_line: 1 },
 * ]); // [{ kind: 'change', left: { line: 1, text: 'a' }, right: { line: 1, text: 'b' } }]
 */
export function sideBySideRows(lines: readonly DiffLineBody[]): SideBySideRow[] {
  const rows: SideBySideRow[] = [];
  let removed: DiffCell[] = [];
  let added: DiffCell[] = [];
  const flush = () => {
    for (let index = 0; index < Math.max(removed.length, added.length); index++) {
      rows.push({ kind: 'change', left: removed[index] ?? null, right: added[index] ?? null });
    }
    removed = [];
    added = [];
  };
  for (const line of lines) {
    if (line.op === 'remove') removed.push({ line: line.from_line ?? 0, text: line.text });
    else if (line.op === 'add') added.push({ line: line.to_line ?? 0, text: line.text });
    else {
      flush();
      rows.push({
        kind: 'equal',
        left: { line: line.from_line ?? 0, text: line.text },
        right: { line: line.to_line ?? 0, text: line.text },
      });
    }
  }
  flush();
  return rows;
}
