import { formatCount } from '../format/format-number.js';
import { ResultStatusBadge } from './experiment-badges.js';
import { formatScore } from './experiment-format.js';
import { describeVars, type MatrixRow, type ResultMatrix } from './experiment-matrix-model.js';

/** A cell of the matrix: a row (case and repeat) under a column (target). */
export interface MatrixCell {
  rowId: string;
  column: number;
}

/** How a row is named: its case key, and its repeat when the run repeated cases. */
export function rowName(row: Pick<MatrixRow, 'caseKey' | 'repeat'>, repeated: boolean): string {
  return repeated ? `${row.caseKey} (repeat ${row.repeat + 1})` : row.caseKey;
}

/**
 * Cases down, prompt × model across: each cell is the result's pass, fail or error badge and its
 * score, and a button that opens the result. A case a target has no result for says so.
 */
export function ExperimentMatrix({
  matrix,
  rows,
  selected,
  onSelect,
}: {
  matrix: ResultMatrix;
  /** The rows to show (filtered, paged), in order. */
  rows: readonly MatrixRow[];
  selected: MatrixCell | undefined;
  onSelect: (cell: MatrixCell, button: HTMLButtonElement) => void;
}) {
  const { columns, repeated } = matrix;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard to scroll it
    <section className="table-scroll exp-matrix-scroll" aria-label="Results matrix" tabIndex={0}>
      <table className="data-table exp-matrix">
        <caption className="visually-hidden">
          Results: {formatCount(rows.length)} cases by {formatCount(columns.length)} prompt × model columns
        </caption>
        <thead>
          <tr>
            <th scope="col">Case</th>
            {columns.map((column) => (
              <th
                key={`${column.promptId}\u0000${column.providerId}`}
                scope="col"
                className="exp-matrix-target"
              >
                {column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const name = rowName(row, repeated);
            const vars = describeVars(row.vars);
            return (
              <tr key={row.id} data-case={row.caseKey}>
                <th scope="row" className="exp-matrix-case">
                  <span className="exp-case-key">{name}</span>
                  {vars ? <span className="exp-case-vars">{vars}</span> : null}
                </th>
                {row.cells.map((result, column) => {
                  const label = columns[column]?.label ?? '';
                  if (!result) {
                    return (
                      // biome-ignore lint/suspicious/noArrayIndexKey: columns are fixed for the table
                      <td key={column} className="exp-cell exp-cell-missing">
                        <span className="muted">No result</span>
                      </td>
                    );
                  }
                  const isSelected = selected?.rowId === row.id && selected.column === column;
                  return (
                    // biome-ignore lint/suspicious/noArrayIndexKey: columns are fixed for the table
                    <td key={column} className="exp-cell" data-status={result.status}>
                      <button
                        type="button"
                        className="exp-cell-button"
                        aria-pressed={isSelected}
                        aria-label={`${name} under ${label}: ${statusWord(result.status)}, score ${formatScore(result.score)}. Show the output`}
                        onClick={(event) => onSelect({ rowId: row.id, column }, event.currentTarget)}
                      >
                        <ResultStatusBadge status={result.status} />
                        <span className="exp-cell-score">{formatScore(result.score)}</span>
                      </button>
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function statusWord(status: string): string {
  return status === 'passed'
    ? 'passed'
    : status === 'failed'
      ? 'failed'
      : status === 'errored'
        ? 'errored'
        : status;
}
