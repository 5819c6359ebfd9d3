import { useId } from 'react';
import { DataTable, type DataTableColumn } from '../components/data-table.js';
import { formatCount } from '../format/format-number.js';
import { summarizeJson } from './dataset-format.js';
import {
  assignRole,
  type ColumnRole,
  type ColumnRoles,
  type ImportProblem,
  type ImportRow,
  type ImportSource,
} from './import-file.js';

const roleLabels: ReadonlyArray<{ role: ColumnRole; label: string }> = [
  { role: 'input', label: 'Input variable' },
  { role: 'expected', label: 'Expected output' },
  { role: 'metadata', label: 'Metadata' },
  { role: 'id', label: 'Id' },
  { role: 'ignore', label: 'Leave out' },
];

/** Rows shown in the preview. */
const previewSize = 5;
/** Problems listed (the count says how many more). */
const problemsShown = 20;

/** The columns of the file with a role each, what the first items become, and what is wrong. */
export function ImportMapping({
  source,
  roles,
  onChange,
  mapped,
  disabled,
}: {
  source: ImportSource;
  roles: ColumnRoles;
  onChange: (roles: ColumnRoles) => void;
  mapped: { rows: ImportRow[]; problems: ImportProblem[] };
  disabled: boolean;
}) {
  const id = useId();
  const structured = source.rows.filter((row) => row.kind === 'structured').length;
  const sample = (column: string) => {
    for (const row of source.rows)
      if (row.kind === 'flat' && row.values.has(column)) return row.values.get(column);
    return undefined;
  };
  const previewColumns: DataTableColumn<ImportRow>[] = [
    { id: 'line', header: 'Line', cell: (row) => formatCount(row.line), align: 'end' },
    { id: 'id', header: 'Id', cell: (row) => row.item.id },
    {
      id: 'input',
      header: 'Input',
      cell: (row) => <span className="datasets-json-cell">{summarizeJson(row.item.input)}</span>,
      wrap: true,
    },
    {
      id: 'expected',
      header: 'Expected output',
      cell: (row) =>
        row.item.expected_output === null || row.item.expected_output === undefined ? (
          <span className="muted">none</span>
        ) : (
          <span className="datasets-json-cell">{summarizeJson(row.item.expected_output)}</span>
        ),
      wrap: true,
    },
    {
      id: 'metadata',
      header: 'Metadata',
      cell: (row) =>
        Object.keys(row.item.metadata ?? {}).length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <span className="datasets-json-cell">{summarizeJson(row.item.metadata)}</span>
        ),
      wrap: true,
    },
  ];

  return (
    <>
      <section className="panel" aria-labelledby={`${id}-mapping`}>
        <h2 id={`${id}-mapping`} className="panel-title">
          Columns
        </h2>
        <p className="muted datasets-note">
          {source.format === 'csv'
            ? `${formatCount(source.rows.length)} rows and ${formatCount(source.columns.length)} columns. Values are text; an empty expected output is none.`
            : `${formatCount(source.rows.length)} lines${structured > 0 ? `, ${formatCount(structured)} of them items as exported (with "input"), taken as they are` : ''}. Flat lines are mapped by their keys, with their JSON values kept.`}{' '}
          Rows without an id get one made from their content, so importing the same file again adds nothing
          twice.
        </p>
        {source.columns.length > 0 ? (
          <fieldset className="datasets-mapping" disabled={disabled}>
            <legend className="visually-hidden">Role of each column</legend>
            {source.columns.map((column, index) => (
              <div key={column} className="datasets-mapping-row">
                <label className="datasets-mapping-name" htmlFor={`${id}-column-${index}`}>
                  {column}
                </label>
                <span id={`${id}-sample-${index}`} className="field-hint datasets-mapping-sample">
                  e.g. {summarizeJson(sample(column) ?? '', 60) || '(empty)'}
                </span>
                <select
                  id={`${id}-column-${index}`}
                  aria-describedby={`${id}-sample-${index}`}
                  className="select"
                  value={roles[column] ?? 'input'}
                  onChange={(event) => onChange(assignRole(roles, column, event.target.value as ColumnRole))}
                >
                  {roleLabels.map(({ role, label }) => (
                    <option key={role} value={role}>
                      {label}
                    </option>
                  ))}
                </select>
              </div>
            ))}
          </fieldset>
        ) : null}
      </section>
      {mapped.problems.length > 0 ? (
        <section className="state state-error" role="alert" aria-label="Problems">
          <p className="state-error-title">
            {formatCount(mapped.problems.length)} {mapped.problems.length === 1 ? 'problem' : 'problems'}:
            nothing can be imported until they are fixed
          </p>
          <ul className="datasets-problems">
            {mapped.problems.slice(0, problemsShown).map((problem) => (
              <li key={`${problem.line}: ${problem.message}`}>
                {problem.line === null ? problem.message : `Line ${problem.line}: ${problem.message}`}
              </li>
            ))}
          </ul>
          {mapped.problems.length > problemsShown ? (
            <p>and {formatCount(mapped.problems.length - problemsShown)} more.</p>
          ) : null}
        </section>
      ) : (
        <section className="panel" aria-labelledby={`${id}-preview`}>
          <h2 id={`${id}-preview`} className="panel-title">
            Preview
          </h2>
          <DataTable
            caption={`The first ${Math.min(previewSize, mapped.rows.length)} items`}
            columns={previewColumns}
            rows={mapped.rows.slice(0, previewSize)}
            rowKey={(row) => row.item.id}
            emptyMessage="The file holds no items."
          />
        </section>
      )}
    </>
  );
}
