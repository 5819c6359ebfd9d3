import type { ExperimentBody, ExperimentResultBody } from '@flywheel/spec';
import { type TargetColumn, targetKey, targetLabel } from './experiment-format.js';

/** One row of the matrix: a case (and repeat), with its result under each target. */
export interface MatrixRow {
  /** `case_key` and repeat, unique per row. */
  id: string;
  caseKey: string;
  caseIndex: number;
  repeat: number;
  vars: Record<string, unknown>;
  /** One entry per column, in column order; undefined where that target has no result for the case. */
  cells: Array<ExperimentResultBody | undefined>;
}

/** Cases × targets of a run. */
export interface ResultMatrix {
  columns: TargetColumn[];
  rows: MatrixRow[];
  /** Some case ran more than once (rows then name their repeat). */
  repeated: boolean;
}

/**
 * The columns of a run: its targets in the order it declared them, then any prompt × model that
 * only its results name (a client may store results for a target it did not declare).
 */
export function targetColumns(
  experiment: Pick<ExperimentBody, 'targets'>,
  results: readonly ExperimentResultBody[] = [],
): TargetColumn[] {
  const columns = new Map<string, TargetColumn>();
  for (const target of experiment.targets) {
    const key = targetKey(target);
    if (!columns.has(key))
      columns.set(key, {
        promptId: target.prompt_id,
        providerId: target.provider_id,
        label: targetLabel(target),
      });
  }
  for (const result of results) {
    const key = targetKey(result);
    if (!columns.has(key))
      columns.set(key, {
        promptId: result.prompt_id,
        providerId: result.provider_id,
        label: targetLabel(result),
      });
  }
  return [...columns.values()];
}

/** Lays results out as rows of cases (in the dataset's order, then by repeat) × target columns. */
export function buildResultMatrix(
  experiment: Pick<ExperimentBody, 'targets'>,
  results: readonly ExperimentResultBody[],
): ResultMatrix {
  const columns = targetColumns(experiment, results);
  const columnIndex = new Map(
    columns.map((column, index) => [
      targetKey({ prompt_id: column.promptId, provider_id: column.providerId }),
      index,
    ]),
  );
  const rows = new Map<string, MatrixRow>();
  let repeated = false;
  for (const result of results) {
    const id = rowId(result.case_key, result.repeat);
    let row = rows.get(id);
    if (!row) {
      row = {
        id,
        caseKey: result.case_key,
        caseIndex: result.case_index,
        repeat: result.repeat,
        vars: result.vars,
        cells: columns.map(() => undefined),
      };
      rows.set(id, row);
    }
    if (result.repeat > 0) repeated = true;
    row.cells[columnIndex.get(targetKey(result))!] = result;
  }
  const sorted = [...rows.values()].sort(
    (a, b) => a.caseIndex - b.caseIndex || compareText(a.caseKey, b.caseKey) || a.repeat - b.repeat,
  );
  return { columns, rows: sorted, repeated };
}

/** A row's id: case key and repeat. */
export function rowId(caseKey: string, repeat: number): string {
  return `${caseKey}\u0000${repeat}`;
}

/** The row has a result that did not pass. */
export function rowHasProblem(row: MatrixRow): boolean {
  return row.cells.some((cell) => cell !== undefined && cell.status !== 'passed');
}

/** Variables as one short line of text: `ticket: I was charged twice · lang: en`. */
export function describeVars(vars: Record<string, unknown>, maxLength = 160): string {
  const text = Object.entries(vars)
    .map(([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
